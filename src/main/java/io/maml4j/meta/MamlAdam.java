package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;

/**
 * MAML with Adam as the meta-optimiser (Finn et al. 2017, Algorithm 2 for supervised learning,
 * Algorithm 3 with a policy-gradient outer loss): θ ← Adam(θ, ∇θ (1/T) Σ_i L_Ti(f_θ'_i)) with
 * θ'_i = θ - α ∇θ L_Ti(f_θ) on the task's training batch (Equation 1) and the outer loss taken on
 * its validation batch, through the inner steps (second order unless first-order).
 *
 * <p>The losses are pluggable: {@link TaskLoss#MSE} gives the paper's sinusoid regression,
 * {@link TaskLoss#REINFORCE} gives MAML with vanilla policy gradient. With zero inner steps the
 * objective is the loss of θ itself on every task: the paper's "pretrained on all tasks" baseline,
 * trained by the same code. Mutable: owns its {@link Adam} state.
 */
public final class MamlAdam implements MetaLearner {
  /** θ → [outer loss of the adapted model], its gradient through the inner steps. */
  public static final String SETUP = "adam.setup";

  private final Policy policy;
  private final TaskLoss outerLoss;
  private final InnerLoop inner;
  private final boolean firstOrder;
  private final Adam adam;

  /** The same loss inside and outside, with α, the inner step count and the first-order switch of {@code maml}. */
  public MamlAdam(Policy policy, TaskLoss loss, MamlConfig maml, Adam adam) {
    this(new InnerLoop(policy, loss, maml.fastLr(), maml.innerSteps()), loss, maml.firstOrder(), adam);
  }

  /**
   * @param inner the adaptation; zero steps train θ jointly on all tasks
   * @param outerLoss the loss of the adapted model on each task's validation batch
   * @param firstOrder drop the second-order term of the meta-gradient
   */
  public MamlAdam(InnerLoop inner, TaskLoss outerLoss, boolean firstOrder, Adam adam) {
    this.policy = inner.policy();
    this.inner = inner;
    this.outerLoss = outerLoss;
    this.firstOrder = firstOrder;
    this.adam = adam;
  }

  /**
   * The "pretrained" baseline of the paper (Section 5.1): one model trained by Adam on the loss of
   * every task at θ, with no adaptation in its objective.
   */
  public static MamlAdam jointTraining(Policy policy, TaskLoss loss, Adam adam) {
    return new MamlAdam(new InnerLoop(policy, loss, 1.0, 0), loss, true, adam);
  }

  /** The outer optimiser and its state. */
  public Adam optimizer() {
    return adam;
  }

  public int innerSteps() {
    return inner.steps();
  }

  @Override
  public InnerLoop innerLoop() {
    return inner;
  }

  @Override
  public boolean secondOrder() {
    return !firstOrder;
  }

  /**
   * Values only: θ' for sampling the post-adaptation batch, nothing of the inner passes. A task's
   * work answers its one request and needs nothing afterwards, but whatever the adaptation records
   * lives in the caller's arena until the whole meta-iteration ends (an executor thread holds all
   * its tasks); recording the graph there made the memory of a meta-batch grow with every task's
   * second-order graph (32 few-shot tasks of 15 queries per class passed 19.5 GB). The work
   * rebuilds what it differentiates in its own scratch arena instead.
   */
  @Override
  public AdaptationRecord adaptationRecord() {
    return AdaptationRecord.VALUES;
  }

  /**
   * One task's outer loss L_Ti(f_θ'_i) on its validation batch and its gradient through the inner
   * steps. Everything it computes lives in a scratch arena freed before the reply, so a task holds
   * no memory between its reply and the end of the iteration. Second order re-runs the inner loop
   * on {@code train} from θ with its graph (the same operations on the same values as an
   * adaptation recorded with a graph, so the gradient is bit-identical to differentiating through
   * one; it costs one more first-order pass over the support batch than keeping the graph did);
   * first order differentiates at fresh leaves holding θ' (∂θ'/∂θ = I).
   *
   * @param adaptation the inner loop from θ on {@code train}, any record: only θ' is read
   */
  @Override
  public TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    Params adaptedValues = adaptation.params();
    return request -> {
      if (!request.op().equals(SETUP)) {
        throw new IllegalArgumentException("MAML-Adam has no task request '" + request.op() + "'");
      }
      try (Arena scratch = Arena.open()) {
        Params at;
        List<Tensor> wrt;
        if (firstOrder || inner.steps() == 0) {
          at = adaptedValues.detach().asVariables();
          wrt = at.list();
        } else {
          at = inner.adapt(theta.repeatPerTask(1), train, true).params();
          wrt = theta.list();
        }
        Tensor loss = outerLoss.apply(policy, at, valid).scale(1.0 / valid.tasks());
        List<Tensor> grad = Grad.grad(loss, wrt, false);
        // The leaves of θ' are per task ([1, ...]); θ's gradient has θ's shapes.
        List<Tensor> shaped = new java.util.ArrayList<>(grad.size());
        for (int i = 0; i < grad.size(); i++) {
          shaped.add(grad.get(i).reshape(theta.list().get(i).shape()));
        }
        return new TaskReply(new double[] {loss.item()}, Params.of(theta.names(), shaped).flat());
      }
    };
  }

  /**
   * One Adam step on the task-mean meta-gradient. {@code lossBefore} is the meta-objective at the
   * old θ; {@code lossAfter} is that same value, since re-evaluating at the new θ would cost a
   * further adaptation (the next iteration's {@code lossBefore} measures it on fresh tasks).
   */
  @Override
  public StepResult step(Params theta, TaskChannel tasks) {
    List<TaskReply> replies = tasks.send(new TaskRequest(SETUP, theta.flat()));
    double before = MetaLearner.mean(replies, 0);
    Params grad = theta.withFlat(MetaLearner.meanVector(replies), theta.list().get(0).dataType());
    return new StepResult(adam.step(theta, grad), before, before, 0.0, true, 0);
  }
}
