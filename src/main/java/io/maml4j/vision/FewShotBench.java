package io.maml4j.vision;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.meta.Adaptation;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.Losses;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where one meta-iteration of few-shot classification spends its time (issue 16's speed
 * figure): one meta-batch of T tasks computed together as training computes it, timed three ways
 * on the same data: the forward passes alone (support loss at θ, query loss at θ'), first-order
 * MAML (inner gradient without a graph, query gradient at θ') and second-order MAML (inner
 * gradient with its graph, the meta-gradient through it). Backward is first-order less forward;
 * the second-order term is second-order less first-order. Matrix-product FLOPs are counted the
 * same way ({@link Tensor#gemmFlops}). A bounded measurement for {@code maml4j bench}, not a test.
 */
public final class FewShotBench {
  private FewShotBench() {}

  /**
   * One phase's median over the measured repetitions.
   *
   * @param flops matrix-product floating-point operations of one repetition
   */
  public record Phase(String name, double seconds, long flops) {}

  /**
   * @param tasks T, the meta-batch
   * @param alpha the inner step size
   * @return forward, backward (first order), second-order term, and the whole second-order
   *     meta-gradient
   */
  public static List<Phase> measure(Policy policy, FewShotClassification data, int tasks, double alpha, DataType type,
      long seed, int warmup, int iterations) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = policy.init(rng.split(), type);
    FewShotClassification.Episode e = data.episode(data.sample(tasks, rng), rng);
    InnerLoop inner = new InnerLoop(policy, TaskLoss.CROSS_ENTROPY, alpha, 1);
    double[][] t = new double[3][iterations];
    long[] f = new long[3];
    for (int i = 0; i < warmup + iterations; i++) {
      for (int mode = 0; mode < 3; mode++) {
        try (Arena arena = Arena.open()) {
          Batch support = Batch.supervised(e.support(), type);
          Batch query = Batch.supervised(e.query(), type);
          Params vars = theta.repeatPerTask(tasks).detach().asVariables();
          long f0 = Tensor.gemmFlops();
          long t0 = System.nanoTime();
          if (mode == 0) {
            // The forward passes of an iteration: support loss at θ, query loss at θ (θ' costs the same).
            Losses.crossEntropy(policy, vars, support).item();
            Losses.crossEntropy(policy, vars, query).item();
          } else {
            Adaptation a = inner.adapt(vars, support, mode == 2);
            Tensor loss = Losses.crossEntropy(policy, a.params(), query);
            for (Tensor g : Grad.grad(loss, vars.list(), false)) {
              g.value().sumNumber();
            }
          }
          long t1 = System.nanoTime();
          if (i >= warmup) {
            t[mode][i - warmup] = (t1 - t0) / 1e9;
            f[mode] = Tensor.gemmFlops() - f0;
          }
        }
      }
    }
    double fwd = median(t[0]);
    double fo = median(t[1]);
    double so = median(t[2]);
    List<Phase> out = new ArrayList<>();
    out.add(new Phase("forward", fwd, f[0]));
    out.add(new Phase("backward (first order)", fo - fwd, f[1] - f[0]));
    out.add(new Phase("second-order term", so - fo, f[2] - f[1]));
    out.add(new Phase("meta-gradient (second order)", so, f[2]));
    return out;
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
