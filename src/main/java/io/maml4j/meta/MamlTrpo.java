package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MAML with TRPO as the meta-optimiser (Finn et al. 2017, Section 5.2; Schulman et al. 2015):
 * the meta-gradient of the post-adaptation surrogate flows through the inner step, the step
 * direction solves F_meta x = g by conjugate gradient, is scaled to the KL radius, and a
 * backtracking line search accepts it only if the surrogate improves within that radius.
 *
 * <p>The curvature F_meta is the Hessian of the mean KL between the old and new adapted
 * policies as a function of θ. At the old parameters the KL's gradient vanishes, so that
 * Hessian is exactly J^T F J with J = ∂θ'/∂θ = I - α ∇²L_train(θ) and F the Fisher at θ'.
 * This needs only Hessian-vector products of the inner loss and Fisher products, not the third
 * derivatives that differentiating the KL twice through the adaptation would take.
 *
 * <p>Every term is a mean over tasks of per-task terms, so each task's {@link Work} answers three
 * requests: {@link #SETUP} (its surrogate and meta-gradient), {@link #CURVATURE} (its J^T F J v)
 * and {@link #EVALUATE} (its surrogate and KL at a line-search candidate). Holds no threads or
 * pools: whoever runs the works owns those.
 */
public final class MamlTrpo implements MetaLearner {
  /** θ → [surrogate], ∇θ surrogate. */
  public static final String SETUP = "trpo.setup";
  /** v → J^T F J v (undamped). */
  public static final String CURVATURE = "trpo.curvature";
  /** candidate θ → [surrogate, mean KL]. */
  public static final String EVALUATE = "trpo.evaluate";

  /**
   * System property choosing how curvature products are computed: {@code structured} (default;
   * {@link StructuredCurvature}, for the MLP policies it supports) or {@code tape} (double
   * backward on the recorded graph, the reference the structured products are tested against).
   */
  public static final String CURVATURE_PROPERTY = "maml4j.curvature";

  private final Policy policy;
  private final MamlConfig config;
  private final InnerLoop inner;
  private final boolean structured;

  /** Computes curvature products as {@value #CURVATURE_PROPERTY} says (structured by default). */
  public MamlTrpo(Policy policy, MamlConfig config) {
    this(policy, config, curvatureFromProperty());
  }

  /**
   * @param structuredCurvature use {@link StructuredCurvature} where the policy supports it, else
   *     the tape's double backward
   */
  public MamlTrpo(Policy policy, MamlConfig config, boolean structuredCurvature) {
    this.policy = policy;
    this.config = config;
    this.inner = new InnerLoop(policy, TaskLoss.REINFORCE, config.fastLr(), config.innerSteps());
    this.structured = structuredCurvature && StructuredCurvature.supports(policy);
  }

  private static boolean curvatureFromProperty() {
    String v = System.getProperty(CURVATURE_PROPERTY, "structured");
    return switch (v) {
      case "structured" -> true;
      case "tape" -> false;
      default -> throw new IllegalArgumentException("-D" + CURVATURE_PROPERTY + " must be 'structured' or 'tape', got '"
          + v + "'");
    };
  }

  /** Whether curvature products use {@link StructuredCurvature} rather than the tape. */
  public boolean structuredCurvature() {
    return structured;
  }

  public MamlConfig config() {
    return config;
  }

  @Override
  public InnerLoop innerLoop() {
    return inner;
  }

  @Override
  public boolean secondOrder() {
    return !config.firstOrder();
  }

  @Override
  public Work taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    return new Work(theta, adaptation, train, valid);
  }

  /**
   * One task's part of a MAML-TRPO meta-step: the surrogate of its adapted policy on its
   * post-adaptation batch, the gradient through its inner step, its curvature products and its
   * line-search values.
   */
  public final class Work implements TaskWork {
    private final Params theta;
    private final Adaptation adaptation;
    private final Batch train;
    private final Batch valid;
    private final DataType type;
    private Distribution old;
    private Tensor oldLogProb;
    private UnaryOperator<Params> curvature;

    Work(Params theta, Adaptation adaptation, Batch train, Batch valid) {
      if (train.tasks() != 1 || valid.tasks() != 1) {
        throw new IllegalArgumentException("a task's work takes one task's batches, got " + train.tasks() + " and "
            + valid.tasks());
      }
      this.theta = theta;
      this.adaptation = adaptation;
      this.train = train;
      this.valid = valid;
      this.type = theta.list().get(0).dataType();
    }

    @Override
    public TaskReply handle(TaskRequest request) {
      return switch (request.op()) {
        case SETUP -> setup();
        case CURVATURE -> {
          requireSetUp(request);
          try (Arena a = Arena.open()) {
            yield new TaskReply(new double[0], curvature.apply(theta.withFlat(request.vector(), type)).flat());
          }
        }
        case EVALUATE -> {
          requireSetUp(request);
          yield evaluate(theta.withFlat(request.vector(), type));
        }
        default -> throw new IllegalArgumentException("MAML-TRPO has no task request '" + request.op() + "'");
      };
    }

    private void requireSetUp(TaskRequest request) {
      if (curvature == null) {
        throw new IllegalStateException(request.op() + " before " + SETUP);
      }
    }

    private TaskReply setup() {
      Distribution dist = policy.forward(adaptation.params(), valid.observations());
      old = dist.detach();
      oldLogProb = dist.logProb(valid.actions()).detach();
      Tensor loss = Losses.surrogate(dist, oldLogProb, valid);
      double[] grad;
      try (Arena scratch = Arena.open()) {
        grad = Params.of(theta.names(), Grad.grad(loss, theta.list(), false)).flat();
      }
      curvature = structured
          ? StructuredCurvature.of(policy, adaptation, inner.stepSizes(), config.firstOrder(), train, valid)::product
          : new Curvature(adaptation, old, valid)::product;
      return new TaskReply(new double[] {loss.item()}, grad);
    }

    private TaskReply evaluate(Params candidate) {
      try (Arena a = Arena.open()) {
        Adaptation an = inner.adapt(candidate.repeatPerTask(1), train, false);
        Distribution dn = policy.forward(an.params(), valid.observations());
        return new TaskReply(new double[] {Losses.surrogate(dn, oldLogProb, valid).item(),
            Losses.kl(dn, old, valid).item()}, null);
      }
    }
  }

  /**
   * Curvature-vector products of the mean KL through the adaptation at the current θ:
   * v ↦ J^T F J v for the tasks of one batch.
   */
  final class Curvature {
    private final Adaptation adaptation;
    private final List<Tensor> phi;
    private final Params klGrad;
    private final int tasks;

    Curvature(Adaptation adaptation, Distribution old, Batch valid) {
      this.adaptation = adaptation;
      this.tasks = valid.tasks();
      Params phiParams = adaptation.params().detach().asVariables();
      this.phi = phiParams.list();
      Tensor kl = Losses.kl(policy.forward(phiParams, valid.observations()), old, valid);
      this.klGrad = Params.of(phiParams.names(), Grad.grad(kl, phi, true));
    }

    /** J u for a shared direction u: per-task directions. */
    Params jacobian(Params u) {
      Params w = u.repeatPerTask(tasks);
      if (config.firstOrder()) {
        return w;
      }
      for (int s = 0; s < adaptation.stepGrads().size(); s++) {
        double lr = inner.stepSize(s);
        w = w.zip(hessianInner(s, w), (a, b) -> a.sub(b.scale(lr)));
      }
      return w;
    }

    /** J^T w for per-task w: a shared direction. */
    Params jacobianTranspose(Params w) {
      if (!config.firstOrder()) {
        for (int s = adaptation.stepGrads().size() - 1; s >= 0; s--) {
          double lr = inner.stepSize(s);
          w = w.zip(hessianInner(s, w), (a, b) -> a.sub(b.scale(lr)));
        }
      }
      return w.map(t -> {
        long[] s = t.shape();
        return t.sum(0).reshape(java.util.Arrays.copyOfRange(s, 1, s.length));
      });
    }

    private Params hessianInner(int step, Params w) {
      Params g = adaptation.stepGrads().get(step);
      Params x = adaptation.stepInputs().get(step);
      return Params.of(x.names(), Grad.grad(g.dot(w), x.list(), false));
    }

    /** F w for per-task w, at the adapted parameters. */
    Params fisher(Params w) {
      return Params.of(klGrad.names(), Grad.grad(klGrad.dot(w), phi, false));
    }

    /** J^T F J v, in the current arena. */
    Params product(Params v) {
      return jacobianTranspose(fisher(jacobian(v)));
    }
  }

  /**
   * The meta-step: the mean surrogate gradient over tasks, a conjugate-gradient solve against the
   * mean curvature, the step scaled to the KL radius and a backtracking line search, every mean
   * reduced in task order in float64 so that the numbers do not depend on who answered.
   */
  @Override
  public StepResult step(Params theta, TaskChannel tasks) {
    DataType type = theta.list().get(0).dataType();
    List<TaskReply> setup = tasks.send(new TaskRequest(SETUP, theta.flat()));
    double lossBefore = MetaLearner.mean(setup, 0);
    Params grad = theta.withFlat(MetaLearner.meanVector(setup), DataType.DOUBLE);
    // Conjugate gradient runs in float64 whatever the training dtype, with only the curvature
    // products in that dtype. The curvature is ill-conditioned (damping 1e-5 against eigenvalues
    // in the hundreds), so rounding shows in the low-curvature part of the direction: on trained
    // navigation policies all-float32 CG directions were 0.72-0.97 cosine-aligned with float64's.
    // Float64 recurrences recover part of that (0.72 -> 0.99 on one batch) at no measurable
    // cost; the rest comes from the float32 products, which in float64 would double the step.
    UnaryOperator<Params> curvature = v -> {
      double[] mean = MetaLearner.meanVector(tasks.send(new TaskRequest(CURVATURE, v.flat())));
      return ConjugateGradient.axpy(theta.withFlat(mean, DataType.DOUBLE), config.cgDamping(), v);
    };
    Params dir;
    double shs;
    try (Arena arena = Arena.open()) {
      Params dir64 = ConjugateGradient.solve(curvature, grad, config.cgIters());
      shs = 0.5 * dir64.dot(curvature.apply(dir64)).item();
      dir = dir64.map(t -> arena.escape(t.cast(type)));
    }
    if (!(shs > 0) || !Double.isFinite(shs)) {
      return new StepResult(theta, lossBefore, lossBefore, 0.0, false, 0);
    }
    double scale = 1.0 / Math.sqrt(shs / config.maxKl());
    double size = 1.0;
    for (int i = 0; i < config.lsMaxSteps(); i++) {
      final double s = size * scale;
      Params candidate = theta.zip(dir, (t, d) -> Tensor.constant(t.value().sub(d.value().mul(s))));
      List<TaskReply> values = tasks.send(new TaskRequest(EVALUATE, candidate.flat()));
      double lossAfter = MetaLearner.mean(values, 0);
      double kl = MetaLearner.mean(values, 1);
      if (lossAfter < lossBefore && kl < config.maxKl()) {
        return new StepResult(candidate, lossBefore, lossAfter, kl, true, i + 1);
      }
      size *= config.lsBacktrackRatio();
    }
    return new StepResult(theta, lossBefore, lossBefore, 0.0, false, config.lsMaxSteps());
  }
}
