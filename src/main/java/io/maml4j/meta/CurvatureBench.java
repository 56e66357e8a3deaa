package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Times each curvature product of MAML-TRPO for one task in isolation, on one thread: the Fisher
 * product at the adapted parameters, the inner Hessian-vector product, and J^T F J, each by the
 * tape (double backward, as {@link MamlTrpo.Curvature} does) and by {@link StructuredCurvature},
 * in the same run. Inputs are random with the run's shapes; the products' cost does not depend on
 * their values.
 */
public final class CurvatureBench {
  private CurvatureBench() {}

  /**
   * One product's figures.
   *
   * @param product "Fisher", "inner HVP" or "J^T F J"
   * @param path "tape" or "structured"
   * @param medianSeconds median wall time of one product
   * @param flops matrix-product floating-point operations of one product
   */
  public record Row(String product, String path, double medianSeconds, long flops) {
    /** Matrix-product throughput at the median time. */
    public double gflops() {
      return flops / 1e9 / medianSeconds;
    }
  }

  /**
   * Measures the three products, tape and structured, for one task of {@code rows} rows.
   *
   * @param repetitions measured products per figure, after {@code warmup} unmeasured ones
   */
  public static List<Row> run(Policy policy, MamlConfig config, int rows, DataType type, int warmup,
      int repetitions, long seed) {
    if (rows < 1 || repetitions < 1 || warmup < 0) {
      throw new IllegalArgumentException("need rows >= 1, repetitions >= 1, warmup >= 0, got " + rows + ", "
          + repetitions + ", " + warmup);
    }
    if (config.innerSteps() < 1) {
      throw new IllegalArgumentException("the curvature bench needs at least one inner step, got num_steps "
          + config.innerSteps());
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    try (Arena arena = Arena.open()) {
      Params theta = policy.init(rng, type).detach();
      Batch train = batch(policy, rows, type, rng);
      Batch valid = batch(policy, rows, type, rng);
      Params v = theta.map(t -> random(rng, type, t.shape()));

      // The tape's operators, built as MamlTrpo.Curvature builds them.
      MamlTrpo maml = new MamlTrpo(policy, config, 1);
      Params vars = theta.asVariables();
      MamlTrpo.Curvature tape = maml.curvature(vars, train, valid);
      Adaptation a = maml.differentiableAdaptation(vars, train);
      Params w = v.repeatPerTask(1).detach();
      StructuredCurvature fast = StructuredCurvature.build(policy, config, theta, train, valid);

      out.add(time("Fisher", "tape", warmup, repetitions, () -> tape.fisher(w)));
      out.add(time("Fisher", "structured", warmup, repetitions, () -> fast.fisher(w)));
      Params g = a.stepGrads().get(0);
      Params x = a.stepInputs().get(0);
      out.add(time("inner HVP", "tape", warmup, repetitions,
          () -> Params.of(x.names(), Grad.grad(g.dot(w), x.list(), false))));
      out.add(time("inner HVP", "structured", warmup, repetitions, () -> fast.innerHessian(0, w)));
      out.add(time("J^T F J", "tape", warmup, repetitions, () -> tape.product(v)));
      out.add(time("J^T F J", "structured", warmup, repetitions, () -> fast.product(v)));
    }
    return out;
  }

  private static Row time(String product, String path, int warmup, int repetitions, Supplier<Params> body) {
    double[] t = new double[repetitions];
    long flops = 0;
    for (int i = 0; i < warmup + repetitions; i++) {
      try (Arena a = Arena.open()) {
        long f0 = Tensor.gemmFlops();
        long t0 = System.nanoTime();
        body.get();
        long t1 = System.nanoTime();
        if (i >= warmup) {
          t[i - warmup] = (t1 - t0) / 1e9;
          flops = Tensor.gemmFlops() - f0;
        }
      }
    }
    Arrays.sort(t);
    double median = repetitions % 2 == 1 ? t[repetitions / 2] : 0.5 * (t[repetitions / 2 - 1] + t[repetitions / 2]);
    return new Row(product, path, median, flops);
  }

  private static Tensor random(SplittableRandom rng, DataType type, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] x = new double[Math.toIntExact(n)];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * 0.5;
    }
    return Tensor.of(x, type, shape);
  }

  private static Batch batch(Policy policy, int rows, DataType type, SplittableRandom rng) {
    if (!(policy.observationSpace() instanceof Box ob)) {
      throw new IllegalArgumentException("the curvature bench needs a Box observation space, got "
          + policy.observationSpace());
    }
    Tensor obs = random(rng, type, 1, rows, ob.flatSize());
    Tensor act;
    if (policy.actionSpace() instanceof Discrete d) {
      double[] a = new double[rows];
      for (int i = 0; i < rows; i++) {
        a[i] = rng.nextInt(d.n());
      }
      act = Tensor.of(a, type, 1, rows, 1);
    } else {
      act = random(rng, type, 1, rows, policy.actionSpace().flatSize());
    }
    double[] weights = new double[rows];
    Arrays.fill(weights, 1.0 / rows);
    return new Batch(obs, act, random(rng, type, 1, rows, 1), Tensor.of(weights, type, 1, rows, 1), 1);
  }
}
