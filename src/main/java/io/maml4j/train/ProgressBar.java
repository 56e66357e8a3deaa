package io.maml4j.train;

import io.maml4j.policy.Params;
import java.io.PrintStream;

/** A one-line progress display on a terminal stream: iteration, returns, KL and speed. */
public final class ProgressBar implements TrainingListener {
  private final PrintStream out;
  private final boolean newlines;
  private int last;

  /** @param newlines print one line per iteration instead of redrawing (for logs) */
  public ProgressBar(PrintStream out, boolean newlines) {
    this.out = out;
    this.newlines = newlines;
  }

  @Override
  public void onStart(int first, int lastIteration) {
    this.last = lastIteration;
  }

  @Override
  public void onIteration(IterationMetrics m, Params theta) {
    int width = 20;
    int done = last == 0 ? width : (int) ((long) (m.iteration() + 1) * width / last);
    String bar = "#".repeat(done) + "-".repeat(width - done);
    String line = String.format("[%s] %d/%d  pre %.2f  post %.2f  kl %.4f%s  %.2fs/it",
        bar, m.iteration() + 1, last, m.preReturn(), m.postReturn(), m.kl(), m.accepted() ? "" : " (rejected)",
        m.totalSeconds());
    if (newlines) {
      out.println(line);
    } else {
      out.print("\r" + line);
      out.flush();
    }
  }

  @Override
  public void onEnd(Params theta) {
    if (!newlines) {
      out.println();
    }
  }
}
