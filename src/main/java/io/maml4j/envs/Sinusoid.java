package io.maml4j.envs;

import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The MAML paper's sinusoid regression (Finn et al. 2017, Section 5.1): a task is y = A sin(x +
 * φ) with amplitude A ~ U[0.1, 5.0] and phase φ ~ U[0, π]; inputs x ~ U[-5, 5]; the loss is the
 * squared error. As an H = 1 task, an episode draws x, the action is the prediction ŷ, and the
 * reward is -(ŷ - y)^2, so a mean return is minus a mean squared error.
 */
public final class Sinusoid implements SupervisedTaskDistribution {
  /** Task parameter holding the amplitude A. */
  public static final String AMPLITUDE = "amplitude";
  /** Task parameter holding the phase φ. */
  public static final String PHASE = "phase";

  private final double amplitudeLow;
  private final double amplitudeHigh;
  private final double phaseLow;
  private final double phaseHigh;
  private final double inputLow;
  private final double inputHigh;

  /** Validates that every range is non-empty and finite. */
  public Sinusoid(double amplitudeLow, double amplitudeHigh, double phaseLow, double phaseHigh, double inputLow,
      double inputHigh) {
    requireRange("amplitude", amplitudeLow, amplitudeHigh);
    requireRange("phase", phaseLow, phaseHigh);
    requireRange("x", inputLow, inputHigh);
    this.amplitudeLow = amplitudeLow;
    this.amplitudeHigh = amplitudeHigh;
    this.phaseLow = phaseLow;
    this.phaseHigh = phaseHigh;
    this.inputLow = inputLow;
    this.inputHigh = inputHigh;
  }

  /** The paper's setting: A ~ U[0.1, 5.0], φ ~ U[0, π], x ~ U[-5, 5]. */
  public static Sinusoid standard() {
    return new Sinusoid(0.1, 5.0, 0.0, Math.PI, -5.0, 5.0);
  }

  private static void requireRange(String what, double low, double high) {
    if (!(Double.isFinite(low) && Double.isFinite(high) && low <= high)) {
      throw new IllegalArgumentException(what + " range must be finite with low <= high, got [" + low + ", "
          + high + "]");
    }
  }

  /** Builds {@code "sinusoid"} from its range fields, the paper's ranges by default. */
  static Sinusoid fromSpec(Fields f) {
    Sinusoid s = standard();
    Sinusoid out = new Sinusoid(f.number("amplitude_low", s.amplitudeLow), f.number("amplitude_high", s.amplitudeHigh),
        f.number("phase_low", s.phaseLow), f.number("phase_high", s.phaseHigh), f.number("x_low", s.inputLow),
        f.number("x_high", s.inputHigh));
    f.finish();
    return out;
  }

  /** The task y = amplitude · sin(x + phase). */
  public static Task task(double amplitude, double phase) {
    return new Task(Map.of(AMPLITUDE, amplitude, PHASE, phase));
  }

  /** y = A sin(x + φ) for a task. */
  public static double value(Task task, double x) {
    return task.number(AMPLITUDE) * Math.sin(x + task.number(PHASE));
  }

  @Override
  public String name() {
    return "sinusoid";
  }

  @Override
  public Map<String, ParamRange> paramRanges() {
    return Map.of(AMPLITUDE, ParamRange.scalar(amplitudeLow, amplitudeHigh), PHASE, ParamRange.scalar(phaseLow,
        phaseHigh));
  }

  @Override
  public Task sample(SplittableRandom rng) {
    double a = amplitudeLow + (amplitudeHigh - amplitudeLow) * rng.nextDouble();
    double p = phaseLow + (phaseHigh - phaseLow) * rng.nextDouble();
    return task(a, p);
  }

  @Override
  public double[] target(Task task, double[] input) {
    if (input.length != 1) {
      throw new IllegalArgumentException("sinusoid input must have 1 entry, got " + input.length);
    }
    return new double[] {value(task, input[0])};
  }

  @Override
  public Environment make(Task task) {
    return new Env(task, inputLow, inputHigh);
  }

  @Override
  public Space observationSpace() {
    return Box.of(1, inputLow, inputHigh);
  }

  @Override
  public Space actionSpace() {
    return Box.of(1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  /** One draw of x per episode. Mutable: holds the current input. */
  static final class Env implements Environment {
    private final Task task;
    private final double low;
    private final double high;
    private double x = Double.NaN;

    Env(Task task, double low, double high) {
      task.number(AMPLITUDE);
      task.number(PHASE);
      this.task = task;
      this.low = low;
      this.high = high;
    }

    @Override
    public Space observationSpace() {
      return Box.of(1, low, high);
    }

    @Override
    public Space actionSpace() {
      return Box.of(1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    @Override
    public double[] reset(long seed) {
      x = low + (high - low) * new SplittableRandom(seed).nextDouble();
      return new double[] {x};
    }

    @Override
    public StepResult step(double[] action) {
      if (Double.isNaN(x)) {
        throw new IllegalStateException("sinusoid episode is over or not started; call reset first");
      }
      if (action.length != 1) {
        throw new IllegalArgumentException("sinusoid prediction must have 1 entry, got " + action.length);
      }
      double err = action[0] - value(task, x);
      double[] obs = {x};
      x = Double.NaN;
      return new StepResult(obs, -err * err, true, false);
    }
  }
}
