package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
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
 * the new θ, which drives the adaptive η). A worker's tasks are answered together in batched
 * operations ({@link #batchesTasks()}, {@link Group}), each task's replies bit-identical to
 * answering it alone.
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

  /**
   * The work uses only the adapted values (which parameters sampled the post-update episodes):
   * every optimisation step re-adapts with its own graph, so none of the sampling adaptation's
   * passes need to stay alive.
   */
  @Override
  public AdaptationRecord adaptationRecord() {
    return AdaptationRecord.VALUES;
  }

  @Override
  public TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    MetaLearner.requireOneTask(train, valid);
    return new Group(theta, false, adaptation, train, valid).works().get(0);
  }

  /** A worker's tasks are answered together, each on its own copy of θ (see {@link Group}). */
  @Override
  public boolean batchesTasks() {
    return true;
  }

  @Override
  public List<TaskWork> taskWorks(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    return new Group(theta, true, adaptation, train, valid).works();
  }

  /**
   * The tasks of one batch's share of a ProMP meta-step: their fixed samples and their terms at
   * any θ, computed for all of them in batched operations on per-task slices. Every request
   * repeats the θ it carries into one copy per task, so no operation mixes tasks and task i's
   * replies are bit-identical to those of task i alone. Its works answer a request together: the
   * first of them asked computes every task's reply.
   */
  final class Group {
    private final Params shared;
    private final Adaptation adaptation;
    private final Batch train;
    private final Batch valid;
    private final int tasks;
    private final DataType type;
    private ProMpObjective.Samples samples;
    private TaskRequest answered;
    private List<TaskReply> replies;

    /**
     * @param theta leaf variables: per-task copies [G, ...] when {@code stacked}, else shared θ
     *     (one task); only their names, shapes and dtype are used, the values come with requests
     */
    Group(Params theta, boolean stacked, Adaptation adaptation, Batch train, Batch valid) {
      if (train.tasks() != valid.tasks()) {
        throw new IllegalArgumentException("train and valid batches differ in tasks: " + train.tasks() + " and "
            + valid.tasks());
      }
      this.shared = stacked ? theta.map(t -> {
        long[] sh = t.shape();
        return t.slice(0, 1).reshape(Arrays.copyOfRange(sh, 1, sh.length));
      }) : theta;
      this.adaptation = adaptation;
      this.train = train;
      this.valid = valid;
      this.tasks = train.tasks();
      this.type = theta.list().get(0).dataType();
    }

    List<TaskWork> works() {
      List<TaskWork> out = new ArrayList<>(tasks);
      for (int j = 0; j < tasks; j++) {
        int task = j;
        out.add(request -> reply(request).get(task));
      }
      return out;
    }

    private List<TaskReply> reply(TaskRequest request) {
      if (request != answered) {
        replies = switch (request.op()) {
          case SETUP -> setup(request);
          case GRAD -> grad(request);
          case KL -> kl(request);
          default -> throw new IllegalArgumentException("ProMP has no task request '" + request.op() + "'");
        };
        answered = request;
      }
      return replies;
    }

    private List<TaskReply> setup(TaskRequest request) {
      Params thetaOld = shared.withFlat(request.vector(), type);
      samples = objective.samples(thetaOld, train, valid, adaptation.params().detach());
      // At θ_old every ratio is 1 and the KL 0: each task's objective is minus its mean weighted advantage.
      double[] surrogate;
      try (Tape.Scope ng = Tape.noGrad()) {
        surrogate = Losses.perTask(valid.advantages(), valid).neg().toDoubles();
      }
      List<TaskReply> r = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        r.add(new TaskReply(new double[] {surrogate[i]}, null));
      }
      return r;
    }

    private List<TaskReply> grad(TaskRequest request) {
      requireSetUp(request);
      double[] v = request.vector();
      int n = v.length - 1;
      try (Arena a = Arena.open()) {
        Params copies = shared.withFlat(Arrays.copyOf(v, n), type).repeatPerTask(tasks).detach().asVariables();
        ProMpObjective.Terms t = objective.termsPerTask(copies, samples);
        Tensor loss = t.loss(v[n]);
        // Each task's copy of θ only reaches its own terms, so the gradient of the sum is, slice
        // by slice, each task's own gradient.
        Params grad = Params.of(copies.names(), Grad.grad(loss.sum(), copies.list(), false));
        double[] l = loss.toDoubles();
        double[] s = t.surrogate().toDoubles();
        double[] k = t.kl().toDoubles();
        List<TaskReply> r = new ArrayList<>(tasks);
        double[][] g = grad.flatPerTask(tasks);
        for (int i = 0; i < tasks; i++) {
          r.add(new TaskReply(new double[] {l[i], s[i], k[i]}, g[i]));
        }
        return r;
      }
    }

    private List<TaskReply> kl(TaskRequest request) {
      requireSetUp(request);
      try (Arena a = Arena.open(); Tape.Scope ng = Tape.noGrad()) {
        double[] kl = objective.klPerTask(shared.withFlat(request.vector(), type).repeatPerTask(tasks), samples)
            .toDoubles();
        List<TaskReply> r = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
          r.add(new TaskReply(new double[] {kl[i]}, null));
        }
        return r;
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
