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
    if (config.innerSteps() < 1 || config.firstOrder()) {
      throw new IllegalArgumentException("the curvature bench needs second-order MAML with at least one inner step,"
          + " got num_steps " + config.innerSteps() + " and first_order " + config.firstOrder());
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    try (Arena arena = Arena.open()) {
      Params theta = policy.init(rng, type).detach();
      Batch train = batch(policy, rows, type, rng);
      Batch valid = batch(policy, rows, type, rng);
      Params v = theta.map(t -> random(rng, type, t.shape()));

      // The tape's operators, built as MamlTrpo.Curvature builds them.
      MamlTrpo maml = new MamlTrpo(policy, config, false);
      Params vars = theta.asVariables();
      Adaptation a = maml.innerLoop().adapt(vars.repeatPerTask(1), train, !config.firstOrder());
      MamlTrpo.Curvature tape = maml.new Curvature(a, policy.forward(a.params(), valid.observations()).detach(), valid);
      Params w = v.repeatPerTask(1).detach();
      StructuredCurvature fast = StructuredCurvature.perTask(policy, a, maml.innerLoop().stepSizes(), config.firstOrder(),
          train, valid);

      Params g = a.stepGrads().get(0);
      Params x = a.stepInputs().get(0);
      out.addAll(timePair("Fisher", warmup, repetitions, () -> tape.fisher(w), () -> fast.fisher(w)));
      out.addAll(timePair("inner HVP", warmup, repetitions,
          () -> Params.of(x.names(), Grad.grad(g.dot(w), x.list(), false)), () -> fast.innerHessian(0, w)));
      out.addAll(timePair("J^T F J", warmup, repetitions, () -> tape.perTaskProduct(v), () -> fast.perTaskProduct(v)));
    }
    return out;
  }

  /**
   * Times the tape's and the structured product alternately, repetition by repetition, so that a
   * shared machine's drifting load weighs on both alike.
   */
  private static List<Row> timePair(String product, int warmup, int repetitions, Supplier<Params> tape,
      Supplier<Params> structured) {
    double[][] t = new double[2][repetitions];
    long[] flops = new long[2];
    List<Supplier<Params>> bodies = List.of(tape, structured);
    for (int i = 0; i < warmup + repetitions; i++) {
      for (int b = 0; b < 2; b++) {
        try (Arena a = Arena.open()) {
          long f0 = Tensor.gemmFlops();
          long t0 = System.nanoTime();
          bodies.get(b).get();
          long t1 = System.nanoTime();
          if (i >= warmup) {
            t[b][i - warmup] = (t1 - t0) / 1e9;
            flops[b] = Tensor.gemmFlops() - f0;
          }
        }
      }
    }
    return List.of(new Row(product, "tape", median(t[0]), flops[0]),
        new Row(product, "structured", median(t[1]), flops[1]));
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
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
