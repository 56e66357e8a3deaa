package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * ProMP, proximal meta-policy search (Rothfuss et al., ICLR 2019, Algorithm 1): on the samples
 * of one meta-iteration, {@link ProMpConfig#steps()} Adam steps on {@link ProMpObjective}, each
 * re-adapting θ through the inner loop with the LVC estimator, the clipped likelihood ratio
 * keeping the adapted policies near the ones that sampled, and the KL penalty η keeping the
 * pre-update policy near the one that sampled. No conjugate gradient and no line search.
 *
 * <p>Every term is a mean over tasks of per-task terms, so each task's work answers three
 * requests: {@link #SETUP} (θ_old: records the sampling policies' log-probabilities of its pre-
 * and post-update episodes), {@link #GRAD} (the current θ and η: its objective, surrogate and KL
 * and the objective's gradient through a fresh inner step) and {@link #KL} (its pre-update KL at
 * the new θ, which drives the adaptive η).
 *
 * <p>Mutable: owns its {@link Adam} state and the current η (which changes only when {@code
 * kl_target} is set); both live in the meta-step, never in a task's work. Holds no threads.
 */
public final class ProMp implements MetaLearner {
  /** θ_old → [surrogate at θ_old]. */
  public static final String SETUP = "promp.setup";
  /** θ followed by η → [objective, surrogate, KL], ∇θ objective. */
  public static final String GRAD = "promp.grad";
  /** θ → [pre-update KL]. */
  public static final String KL = "promp.kl";

  private final Policy policy;
  private final ProMpConfig config;
  private final ProMpObjective objective;
  private final InnerLoop inner;
  private final Adam adam;
  private double klCoeff;

  /**
   * @param estimator the inner estimator, {@code lvc} (ProMP) or {@code dice}
   * @param fastLr inner step size α
   * @param innerSteps inner gradient steps (at least 1)
   * @param adam the outer optimiser (the paper: learning rate 1e-3)
   */
  public ProMp(Policy policy, ProMpConfig config, String estimator, double fastLr, int innerSteps, Adam adam) {
    this.policy = policy;
    this.config = config;
    this.objective = new ProMpObjective(policy, estimator, fastLr, innerSteps, config.clipEps());
    // What the post-update episodes are sampled with: at θ_old the objective's inner step (the
    // sampling policy in the estimator's denominator) is this estimator in value and derivatives.
    this.inner = new InnerLoop(policy, TaskLoss.named(estimator), fastLr, innerSteps);
    this.adam = adam;
    this.klCoeff = config.klCoeff();
  }

  /** The outer optimiser and its state. */
  public Adam optimizer() {
    return adam;
  }

  /** The current weight η of the KL penalty. */
  public double klCoeff() {
    return klCoeff;
  }

  public ProMpObjective objective() {
    return objective;
  }

  @Override
  public InnerLoop innerLoop() {
    return inner;
  }

  /** The sampling adaptation needs no graph: every optimisation step re-adapts with its own. */
  @Override
  public boolean secondOrder() {
    return false;
  }

  @Override
  public TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    if (train.tasks() != 1 || valid.tasks() != 1) {
      throw new IllegalArgumentException("a task's work takes one task's batches, got " + train.tasks() + " and "
          + valid.tasks());
    }
    return new Work(theta, adaptation, train, valid);
  }

  /** One task's share of a ProMP meta-step: its fixed samples and its terms at any θ. */
  private final class Work implements TaskWork {
    private final Params template;
    private final Adaptation adaptation;
    private final Batch train;
    private final Batch valid;
    private final DataType type;
    private ProMpObjective.Samples samples;

    Work(Params theta, Adaptation adaptation, Batch train, Batch valid) {
      this.template = theta;
      this.adaptation = adaptation;
      this.train = train;
      this.valid = valid;
      this.type = theta.list().get(0).dataType();
    }

    @Override
    public TaskReply handle(TaskRequest request) {
      switch (request.op()) {
        case SETUP -> {
          Params thetaOld = template.withFlat(request.vector(), type);
          samples = objective.samples(thetaOld, train, valid, adaptation.params().detach());
          // At θ_old every ratio is 1 and the KL 0: the objective is minus the weighted advantages.
          double surrogate;
          try (Tape.Scope ng = Tape.noGrad()) {
            surrogate = -valid.advantages().mul(valid.weights()).sum().item() / valid.totalTasks();
          }
          return new TaskReply(new double[] {surrogate}, null);
        }
        case GRAD -> {
          requireSetUp(request);
          double[] v = request.vector();
          int n = v.length - 1;
          Params theta = template.withFlat(Arrays.copyOf(v, n), type);
          try (Arena a = Arena.open()) {
            ProMpObjective.Result r = objective.evaluate(theta, samples, v[n]);
            return new TaskReply(new double[] {r.loss(), r.surrogate(), r.kl()}, r.grad().flat());
          }
        }
        case KL -> {
          requireSetUp(request);
          Params theta = template.withFlat(request.vector(), type);
          try (Arena a = Arena.open(); Tape.Scope ng = Tape.noGrad()) {
            double kl = samples.trainOld().kl(policy.forward(theta, train.observations())).mul(train.weights()).sum()
                .item() / train.totalTasks();
            return new TaskReply(new double[] {kl}, null);
          }
        }
        default -> throw new IllegalArgumentException("ProMP has no task request '" + request.op() + "'");
      }
    }

    private void requireSetUp(TaskRequest request) {
      if (samples == null) {
        throw new IllegalStateException(request.op() + " before " + SETUP);
      }
    }
  }

  /**
   * {@link ProMpConfig#steps()} Adam steps on the task-mean gradient of the same samples.
   * {@code lossBefore} is the objective at θ_old, {@code lossAfter} the one at the last step's θ
   * before its update (what the last gradient was taken at), {@code kl} the task-mean pre-update
   * KL at the new θ, which drives the adaptive η. Every mean is reduced in task order in float64.
   */
  @Override
  public StepResult step(Params theta, TaskChannel tasks) {
    DataType type = theta.list().get(0).dataType();
    tasks.send(new TaskRequest(SETUP, theta.flat()));
    Params current = theta;
    double before = Double.NaN;
    double last = Double.NaN;
    for (int k = 0; k < config.steps(); k++) {
      double[] t = current.flat();
      double[] v = Arrays.copyOf(t, t.length + 1);
      v[t.length] = klCoeff;
      List<TaskReply> replies = tasks.send(new TaskRequest(GRAD, v));
      double loss = MetaLearner.mean(replies, 0);
      before = k == 0 ? loss : before;
      last = loss;
      current = adam.step(current, theta.withFlat(MetaLearner.meanVector(replies), type));
    }
    double kl = MetaLearner.mean(tasks.send(new TaskRequest(KL, current.flat())), 0);
    klCoeff = config.adaptKlCoeff(klCoeff, kl);
    return new StepResult(current, before, last, kl, true, config.steps());
  }
}
