package io.maml4j.meta;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;

/**
 * ProMP's outer objective (Rothfuss et al. 2019, Equation 13 and Algorithm 1) on fixed samples:
 *
 * <pre>
 *   L(θ) = -(1/T) Σ_i Σ_t w_t min(r_t A_t, clip(r_t, 1 - ε, 1 + ε) A_t)  +  η (1/T) Σ_i KL_i(θ)
 *   r_t  = π_θ'_i(a_t | s_t) / π_θ'_old,i(a_t | s_t)   on the post-update episodes,
 *   θ'_i = θ - α ∇θ L^LVC_i(θ)                         on the pre-update episodes,
 *   KL_i = Σ_t w_t KL(π_θold(· | s_t) || π_θ(· | s_t)) on the pre-update episodes.
 * </pre>
 *
 * The inner step uses the LVC estimator (or DiCE) with the sampling policy π_θold in the
 * stopped denominator, as ProMP's reference code does: at θ = θ_old that is exactly the
 * estimator with ⊥π_θ, and on the later steps, where θ has moved, it weights the old samples.
 * Each task's terms depend only on its own samples, so a batch of one task gives that task's
 * term, which {@link ProMp}'s meta-step averages over tasks.
 */
public final class ProMpObjective {
  private final Policy policy;
  private final String estimator;
  private final double fastLr;
  private final int innerSteps;
  private final double clipEps;

  /**
   * @param estimator the inner estimator, {@code lvc} (ProMP) or {@code dice}
   * @param innerSteps inner gradient steps on the pre-update episodes
   */
  public ProMpObjective(Policy policy, String estimator, double fastLr, int innerSteps, double clipEps) {
    if (!estimator.equals("lvc") && !estimator.equals("dice")) {
      throw new IllegalArgumentException("ProMP's inner estimator must be lvc or dice, got " + estimator);
    }
    if (!(fastLr > 0 && Double.isFinite(fastLr))) {
      throw new IllegalArgumentException("fast_lr must be greater than 0, got " + fastLr);
    }
    if (innerSteps < 1) {
      throw new IllegalArgumentException("ProMP needs at least 1 inner step, got " + innerSteps);
    }
    if (!(clipEps > 0 && clipEps < 1)) {
      throw new IllegalArgumentException("clip_eps must be in (0, 1), got " + clipEps);
    }
    this.policy = policy;
    this.estimator = estimator;
    this.fastLr = fastLr;
    this.innerSteps = innerSteps;
    this.clipEps = clipEps;
  }

  /**
   * What the sampling policies did, held fixed over a meta-iteration's optimisation steps.
   *
   * @param train pre-update episodes, sampled by θ_old
   * @param valid post-update episodes, sampled by each task's θ'_old
   * @param trainOld π_θold on the pre-update observations, detached
   * @param trainLogProb log π_θold of the pre-update actions, constant
   * @param validLogProb log π_θ'_old of the post-update actions, constant
   */
  public record Samples(Batch train, Batch valid, Distribution trainOld, Tensor trainLogProb, Tensor validLogProb) {}

  /** The samples of one meta-iteration, with the sampling policies' probabilities at θ_old. */
  public Samples samples(Params thetaOld, Batch train, Batch valid) {
    return samples(thetaOld, train, valid, null);
  }

  /**
   * The samples of one meta-iteration, with the adapted parameters that sampled the post-update
   * episodes ([T, ...] per task), or null to adapt θ_old here.
   */
  public Samples samples(Params thetaOld, Batch train, Batch valid, Params sampledWith) {
    // Every task's forward passes run on its own copy of θ_old, so that a task's numbers are the
    // same whether its batch holds it alone or together with others.
    Params old = thetaOld.detach().repeatPerTask(train.tasks());
    Distribution d = policy.forward(old, train.observations()).detach();
    Tensor trainLogProb = d.logProb(train.actions()).detach();
    Params adapted = sampledWith != null ? sampledWith : adapt(old, train, trainLogProb, false);
    Tensor validLogProb = policy.forward(adapted.detach(), valid.observations()).logProb(valid.actions()).detach();
    return new Samples(train, valid, d, trainLogProb, validLogProb);
  }

  /** The inner steps from per-task θ, with the sampling policy in the estimator's denominator. */
  Params adapt(Params perTask, Batch train, Tensor trainLogProb, boolean createGraph) {
    return adapt(perTask, null, train, trainLogProb, createGraph);
  }

  /**
   * The inner steps from per-task θ; {@code atStart}, if not null, is π at {@code perTask} on the
   * pre-update observations, which the first step's estimator then takes instead of computing it
   * again (with a graph, the start's parameters are {@code perTask} itself).
   */
  private Params adapt(Params perTask, Distribution atStart, Batch train, Tensor trainLogProb, boolean createGraph) {
    java.util.function.BiFunction<Params, Batch, Distribution> forward =
        (params, b) -> atStart != null && params == perTask ? atStart : policy.forward(params, b.observations());
    TaskLoss inner = estimator.equals("lvc")
        ? (p, params, b) -> InnerEstimators.lvc(forward.apply(params, b), trainLogProb, b)
        : (p, params, b) -> InnerEstimators.dice(forward.apply(params, b), b, trainLogProb);
    return new InnerLoop(policy, inner, fastLr, innerSteps).adapt(perTask, train, createGraph).params();
  }

  /**
   * The objective's parts at θ, all differentiable in θ through the inner steps: scalars (the
   * meta-batch means of {@link #terms}) or [T] tensors (the tasks' own, of {@link #termsPerTask}).
   */
  public record Terms(Tensor surrogate, Tensor kl) {
    /** surrogate + η KL. */
    public Tensor loss(double klCoeff) {
      return surrogate.add(kl.scale(klCoeff));
    }
  }

  /**
   * The clipped surrogate and the KL at θ (through a second-order inner step): the per-task
   * terms of {@link #termsPerTask} summed and divided by the meta-batch's task count.
   */
  public Terms terms(Params thetaVars, Samples s) {
    Terms t = termsPerTask(thetaVars.repeatPerTask(s.train().tasks()), s);
    return new Terms(t.surrogate().sum().scale(1.0 / s.valid().totalTasks()),
        t.kl().sum().scale(1.0 / s.train().totalTasks()));
  }

  /**
   * Every task's own clipped surrogate and KL ([T] each, task means) at per-task parameters
   * ([T, ...], one copy of θ per task), differentiable in them through the inner steps. No
   * operation mixes tasks, so task i's terms and their gradient in copy i are those of task i
   * alone.
   */
  public Terms termsPerTask(Params copies, Samples s) {
    Batch valid = s.valid();
    Batch train = s.train();
    // The KL term and the inner step both need π_θ on the pre-update episodes: one forward pass
    // (and one backward through it) serves both.
    Distribution pre = policy.forward(copies, train.observations());
    Params adapted = adapt(copies, pre, train, s.trainLogProb(), true);
    Tensor ratio = policy.forward(adapted, valid.observations()).logProb(valid.actions()).sub(s.validLogProb()).exp();
    Tensor a = valid.advantages();
    Tensor unclipped = ratio.mul(a);
    Tensor clipped = clip(ratio, 1 - clipEps, 1 + clipEps).mul(a);
    Tensor surrogate = Losses.perTask(min(unclipped, clipped), valid).neg();
    return new Terms(surrogate, klPerTask(pre, s));
  }

  /** Every task's KL(π_θold ‖ π_θ) on its pre-update episodes ([T]), at per-task parameters. */
  public Tensor klPerTask(Params copies, Samples s) {
    return klPerTask(policy.forward(copies, s.train().observations()), s);
  }

  private static Tensor klPerTask(Distribution current, Samples s) {
    return Losses.perTask(s.trainOld().kl(current), s.train());
  }

  /** The objective's value, its parts and its gradient in θ. */
  public record Result(double loss, double surrogate, double kl, Params grad) {}

  /** L(θ) and ∇θ L(θ) for weight η = {@code klCoeff}; the gradient is a constant. */
  public Result evaluate(Params theta, Samples s, double klCoeff) {
    Params vars = theta.detach().asVariables();
    Terms t = terms(vars, s);
    Tensor loss = t.loss(klCoeff);
    Params g = Params.of(vars.names(), Grad.grad(loss, vars.list(), false));
    return new Result(loss.item(), t.surrogate().item(), t.kl().item(), g);
  }

  /** clip(x, lo, hi) = lo + relu(x - lo) - relu(x - hi): the gradient flows strictly inside. */
  static Tensor clip(Tensor x, double lo, double hi) {
    return x.addScalar(-lo).relu().sub(x.addScalar(-hi).relu()).addScalar(lo);
  }

  /** min(x, y) = x - relu(x - y); at a tie the gradient is x's, the unclipped term's. */
  static Tensor min(Tensor x, Tensor y) {
    return x.sub(x.sub(y).relu());
  }
}
