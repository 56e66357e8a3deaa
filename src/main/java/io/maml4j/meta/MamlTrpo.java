package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tape;
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
 *
 * <p>With E-MAML's exploration term ({@link Exploration}) the credits are standardised over the
 * meta-batch, a cross-task quantity: the meta-step first asks every task for its post-update
 * return ({@link #RETURNS}) and sends all of them, in task order, with θ in {@link #SETUP}; each
 * task standardises its own return against them. The inner step's estimator is pluggable
 * (REINFORCE, LVC or DiCE); the meta-gradient differentiates through its gradient.
 */
public final class MamlTrpo implements MetaLearner {
  /** θ → [surrogate], ∇θ surrogate. */
  public static final String SETUP = "trpo.setup";
  /** v → J^T F J v (undamped). */
  public static final String CURVATURE = "trpo.curvature";
  /** candidate θ → [surrogate, mean KL]. */
  public static final String EVALUATE = "trpo.evaluate";
  /** θ → [post-update return], E-MAML only: what the credits standardise. */
  public static final String RETURNS = "trpo.returns";

  /**
   * System property choosing how curvature products are computed: {@code structured} (default;
   * {@link StructuredCurvature}, for the MLP policies it supports) or {@code tape} (double
   * backward on the recorded graph, the reference the structured products are tested against).
   */
  public static final String CURVATURE_PROPERTY = "maml4j.curvature";

  private final Policy policy;
  private final MamlConfig config;
  private final InnerLoop inner;
  private final boolean exploration;
  private final boolean structured;

  /**
   * MAML-TRPO with the REINFORCE inner step, computing curvature products as {@value
   * #CURVATURE_PROPERTY} says (structured by default).
   */
  public MamlTrpo(Policy policy, MamlConfig config) {
    this(policy, config, curvatureFromProperty());
  }

  /**
   * @param structuredCurvature use {@link StructuredCurvature} where the policy supports it, else
   *     the tape's double backward
   */
  public MamlTrpo(Policy policy, MamlConfig config, boolean structuredCurvature) {
    this(policy, config, TaskLoss.REINFORCE, false, structuredCurvature);
  }

  /**
   * With the inner estimator and exploration term a config names, curvature products as {@value
   * #CURVATURE_PROPERTY} says.
   *
   * @param innerLoss the inner step's estimator ({@link TaskLoss#REINFORCE}, {@link TaskLoss#LVC}
   *     or {@link TaskLoss#DICE}); the meta-gradient differentiates through its gradient
   * @param exploration add E-MAML's exploration term ({@link Exploration}) to the surrogate; the
   *     post-update batches then need their rewards ({@link Batch#episodic()})
   */
  public MamlTrpo(Policy policy, MamlConfig config, TaskLoss innerLoss, boolean exploration) {
    this(policy, config, innerLoss, exploration, curvatureFromProperty());
  }

  /**
   * @param structuredCurvature use {@link StructuredCurvature} where it applies: a policy it
   *     supports and the REINFORCE inner step, whose Hessian it computes (LVC's and DiCE's
   *     Hessians differ, so those take the tape's double backward)
   */
  public MamlTrpo(Policy policy, MamlConfig config, TaskLoss innerLoss, boolean exploration,
      boolean structuredCurvature) {
    this.policy = policy;
    this.config = config;
    this.inner = new InnerLoop(policy, innerLoss, config.fastLr(), config.innerSteps());
    this.exploration = exploration;
    this.structured = structuredCurvature && innerLoss == TaskLoss.REINFORCE && StructuredCurvature.supports(policy);
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

  /** Whether the surrogate has E-MAML's exploration term. */
  public boolean exploration() {
    return exploration;
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

  /**
   * Values only with structured curvature: the meta-gradient is J^T applied to the outer
   * gradient at θ', from the same structured products as the curvature, so the inner loop's
   * graph (and the second-order backward through it) is never built.
   */
  @Override
  public AdaptationRecord adaptationRecord() {
    return structured ? AdaptationRecord.VALUES : MetaLearner.super.adaptationRecord();
  }

  /**
   * With structured curvature, the inner steps' gradients are first order only ({@link
   * Tape#firstOrder}): everything downstream (the sampling of post-adaptation episodes, the
   * products, the meta-gradient) works from these values, so the MLP policies take them by
   * blocked passes.
   */
  @Override
  public Adaptation adaptForWork(Params start, Batch train) {
    if (!structured) {
      return MetaLearner.super.adaptForWork(start, train);
    }
    try (Tape.Scope f = Tape.firstOrder()) {
      return inner.adaptValues(start, train);
    }
  }

  @Override
  public TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    MetaLearner.requireOneTask(train, valid);
    return new Group(theta, false, adaptation, train, valid).works().get(0);
  }

  @Override
  public boolean batchesTasks() {
    return true;
  }

  @Override
  public List<TaskWork> taskWorks(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    return new Group(theta, true, adaptation, train, valid).works();
  }

  /**
   * The tasks of one batch's part of a MAML-TRPO meta-step: each task's surrogate of its adapted
   * policy on its post-adaptation batch, its gradient through its inner step, its curvature
   * products and its line-search values, computed for all of them in batched operations on
   * per-task slices. Its works answer a request together: the first of them asked computes every
   * task's reply.
   */
  final class Group {
    private final Params theta;
    private final boolean stacked;
    private final Adaptation adaptation;
    private final Batch train;
    private final Batch valid;
    private final int tasks;
    private final Params shared;
    private final DataType type;
    private Distribution old;
    private Tensor oldLogProb;
    private java.util.function.UnaryOperator<Params> curvature;
    private Tensor preLogProb;
    private double[] credits;
    private TaskRequest answered;
    private List<TaskReply> replies;

    /**
     * @param theta leaf variables: per-task copies [G, ...] when {@code stacked}, else shared θ
     *     (one task)
     */
    Group(Params theta, boolean stacked, Adaptation adaptation, Batch train, Batch valid) {
      if (train.tasks() != valid.tasks()) {
        throw new IllegalArgumentException("train and valid batches differ in tasks: " + train.tasks() + " and "
            + valid.tasks());
      }
      this.theta = theta;
      this.stacked = stacked;
      this.adaptation = adaptation;
      this.train = train;
      this.valid = valid;
      this.tasks = train.tasks();
      this.shared = stacked ? theta.map(t -> {
        long[] sh = t.shape();
        return t.slice(0, 1).reshape(java.util.Arrays.copyOfRange(sh, 1, sh.length));
      }) : theta;
      this.type = theta.list().get(0).dataType();
    }

    List<TaskWork> works() {
      List<TaskWork> out = new java.util.ArrayList<>(tasks);
      for (int j = 0; j < tasks; j++) {
        int task = j;
        out.add(request -> reply(request).get(task));
      }
      return out;
    }

    private List<TaskReply> reply(TaskRequest request) {
      if (request != answered) {
        replies = switch (request.op()) {
          case RETURNS -> {
            if (!exploration) {
              throw new IllegalArgumentException(RETURNS + " without E-MAML's exploration term");
            }
            double[] r = Exploration.returns(valid);
            List<TaskReply> out = new java.util.ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
              out.add(new TaskReply(new double[] {r[i]}, null));
            }
            yield out;
          }
          case SETUP -> setup(request);
          case CURVATURE -> {
            requireSetUp(request);
            try (Arena a = Arena.open()) {
              Params p = curvature.apply(shared.withFlat(request.vector(), type));
              List<TaskReply> r = new java.util.ArrayList<>(tasks);
              double[][] f = p.flatPerTask(tasks);
              for (int i = 0; i < tasks; i++) {
                r.add(new TaskReply(null, f[i]));
              }
              yield r;
            }
          }
          case EVALUATE -> {
            requireSetUp(request);
            yield evaluate(shared.withFlat(request.vector(), type));
          }
          default -> throw new IllegalArgumentException("MAML-TRPO has no task request '" + request.op() + "'");
        };
        answered = request;
      }
      return replies;
    }

    private void requireSetUp(TaskRequest request) {
      if (curvature == null) {
        throw new IllegalStateException(request.op() + " before " + SETUP);
      }
    }

    /**
     * The meta-batch's post-update returns follow θ in an exploring setup request; every task
     * standardises its own against them.
     */
    private double[] credits(TaskRequest request) {
      double[] v = request.vector();
      int n = Math.toIntExact(shared.size());
      double[] all = java.util.Arrays.copyOfRange(v, n, v.length);
      if (all.length < 1) {
        throw new IllegalArgumentException(SETUP + " of an exploring MAML-TRPO needs the tasks' returns after θ");
      }
      double[] own = Exploration.returns(valid);
      double[] c = new double[tasks];
      for (int i = 0; i < tasks; i++) {
        c[i] = Exploration.credit(own[i], all);
      }
      return c;
    }

    /** Every task's surrogate of its adapted policy, plus E-MAML's term at θ when exploring. */
    private Tensor loss(Params at, Distribution post) {
      Tensor loss = Losses.surrogatePerTask(post, oldLogProb, valid);
      return credits == null ? loss
          : loss.add(Exploration.termPerTask(policy.forward(at, train.observations()), preLogProb, train, credits));
    }

    private List<TaskReply> setup(TaskRequest request) {
      if (exploration) {
        credits = credits(request);
        preLogProb = policy.forward(theta, train.observations()).logProb(train.actions()).detach();
      }
      return structured ? setupStructured() : setupOnTape();
    }

    private List<TaskReply> setupOnTape() {
      Distribution dist = policy.forward(adaptation.params(), valid.observations());
      old = dist.detach();
      oldLogProb = dist.logProb(valid.actions()).detach();
      Tensor loss = loss(theta, dist);
      double[] values = loss.toDoubles();
      List<TaskReply> r = new java.util.ArrayList<>(tasks);
      try (Arena scratch = Arena.open()) {
        // Each task's copy of θ only reaches its own loss, so the gradient of the sum is, slice
        // by slice, each task's own gradient.
        double[][] grad = Params.of(theta.names(), Grad.grad(loss.sum(), theta.list(), false)).flatPerTask(tasks);
        for (int i = 0; i < tasks; i++) {
          r.add(new TaskReply(new double[] {values[i]}, grad[i]));
        }
      }
      curvature = new Curvature(adaptation, old, valid)::perTaskProduct;
      return r;
    }

    /**
     * The meta-gradient J_i^T ∇_θ'_i L_i from the adapted values: the surrogate's first-order
     * gradient at θ' (θ' as fresh leaves) taken back through the inner steps by the structured
     * products, plus, when exploring, E-MAML's term's own gradient at θ.
     */
    private List<TaskReply> setupStructured() {
      StructuredCurvature c = StructuredCurvature.perTask(policy, adaptation, inner.stepSizes(), config.firstOrder(),
          train, valid);
      curvature = c::perTaskProduct;
      List<TaskReply> r = new java.util.ArrayList<>(tasks);
      Params phi = adaptation.params().detach();
      // Only the old policy's parameters and log-probabilities outlive the setup, not its passes.
      try (Arena scratch = Arena.open()) {
        Params leaves = phi.asVariables();
        Distribution dist;
        // The surrogate is differentiated once, at θ' (the products take it back through the steps).
        try (Tape.Scope f = Tape.firstOrder()) {
          dist = policy.forward(leaves, valid.observations());
        }
        old = dist.detach().map(scratch::escape);
        oldLogProb = scratch.escape(dist.logProb(valid.actions()));
        Tensor surrogate = Losses.surrogatePerTask(dist, oldLogProb, valid);
        double[] values = surrogate.toDoubles();
        Params grad = c.transposePerTask(Params.of(leaves.names(), Grad.grad(surrogate.sum(), leaves.list(), false)));
        double[] term = null;
        Params termGrad = null;
        if (credits != null) {
          Tensor e = Exploration.termPerTask(policy.forward(theta, train.observations()), preLogProb, train, credits);
          term = e.toDoubles();
          termGrad = Params.of(theta.names(), Grad.grad(e.sum(), theta.list(), false));
        }
        double[][] gs = grad.flatPerTask(tasks);
        double[][] ts = termGrad == null ? null : termGrad.flatPerTask(tasks);
        for (int i = 0; i < tasks; i++) {
          double[] g = gs[i];
          if (ts != null) {
            double[] t = ts[i];
            for (int k = 0; k < g.length; k++) {
              g[k] += t[k];
            }
          }
          r.add(new TaskReply(new double[] {term == null ? values[i] : values[i] + term[i]}, g));
        }
      }
      return r;
    }

    private List<TaskReply> evaluate(Params candidate) {
      try (Arena a = Arena.open()) {
        Params copies = candidate.repeatPerTask(tasks);
        Adaptation an;
        // The candidate's adaptation is differentiated once (values only after it).
        try (Tape.Scope f = Tape.firstOrder()) {
          an = inner.adapt(copies, train, false);
        }
        // Values only: the line search differentiates nothing.
        Distribution dn = policy.forwardValues(an.params(), valid.observations());
        double[] loss = loss(copies, dn).toDoubles();
        double[] kl = Losses.klPerTask(dn, old, valid).toDoubles();
        List<TaskReply> r = new java.util.ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
          r.add(new TaskReply(new double[] {loss[i], kl[i]}, null));
        }
        return r;
      }
    }
  }

  /**
   * Curvature-vector products of each task's mean KL through its adaptation at the current θ:
   * v ↦ J_i^T F_i J_i v for the tasks of one batch, task by task.
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
      // The sum of the tasks' own mean KLs: its Hessian is, task by task, each task's Fisher.
      Tensor kl = Losses.klPerTask(policy.forward(phiParams, valid.observations()), old, valid).sum();
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

    /** J_i^T w_i for per-task w: per-task directions, each task's own. */
    Params jacobianTranspose(Params w) {
      if (!config.firstOrder()) {
        for (int s = adaptation.stepGrads().size() - 1; s >= 0; s--) {
          double lr = inner.stepSize(s);
          w = w.zip(hessianInner(s, w), (a, b) -> a.sub(b.scale(lr)));
        }
      }
      return w;
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

    /** Every task's J_i^T F_i J_i v for a shared v, per task ([G, ...]), in the current arena. */
    Params perTaskProduct(Params v) {
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
    List<TaskReply> setup;
    if (exploration) {
      double[] returns = new double[tasks.tasks()];
      List<TaskReply> r = tasks.send(new TaskRequest(RETURNS, theta.flat()));
      for (int i = 0; i < returns.length; i++) {
        returns[i] = r.get(i).values()[0];
      }
      double[] t = theta.flat();
      double[] v = java.util.Arrays.copyOf(t, t.length + returns.length);
      System.arraycopy(returns, 0, v, t.length, returns.length);
      setup = tasks.send(new TaskRequest(SETUP, v));
    } else {
      setup = tasks.send(new TaskRequest(SETUP, theta.flat()));
    }
    double lossBefore = MetaLearner.mean(setup, 0);
    double[] grad = MetaLearner.meanVector(setup);
    // Conjugate gradient runs in float64 whatever the training dtype, with only the curvature
    // products in that dtype. The curvature is ill-conditioned (damping 1e-5 against eigenvalues
    // in the hundreds), so rounding shows in the low-curvature part of the direction: on trained
    // navigation policies all-float32 CG directions were 0.72-0.97 cosine-aligned with float64's.
    // Float64 recurrences recover part of that (0.72 -> 0.99 on one batch) at no measurable
    // cost; the rest comes from the float32 products, which in float64 would double the step.
    double damping = config.cgDamping();
    UnaryOperator<double[]> curvature = v -> {
      double[] mean = MetaLearner.meanVector(tasks.send(new TaskRequest(CURVATURE, v)));
      for (int j = 0; j < mean.length; j++) {
        mean[j] += damping * v[j];
      }
      return mean;
    };
    // s^T A s / 2 from the solve's own residual, not an eleventh curvature product.
    ConjugateGradient.FlatSolution solved = ConjugateGradient.solveWithProduct(curvature, grad, config.cgIters());
    double shs = 0.5 * ConjugateGradient.dot(solved.x(), solved.ax());
    Params dir = theta.withFlat(solved.x(), type);
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
