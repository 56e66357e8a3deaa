package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;

/**
 * E-MAML's exploration term (Stadie et al. 2018, "Some Considerations on Learning to Explore via
 * Meta-Reinforcement Learning", E-MAML-TRPO): MAML's meta-gradient ignores that the pre-update
 * episodes were sampled by θ and so misses how θ's exploration changes the post-update return.
 * E-MAML adds the score-function term Σ_i ∇θ log π_θ(τ_pre,i) R(τ_post,i), crediting the
 * pre-update sampling distribution with the return after adaptation.
 *
 * <p>Here, as a term of the minimised TRPO surrogate, -(1/T) Σ_i c_i Σ_t w_t π_θ(a_t|s_t) /
 * π_θold(a_t|s_t) over task i's pre-update steps, whose gradient at θ_old is -(1/T) Σ_i c_i
 * times the mean over its episodes of the time-averaged score (the batch's weights). The credit
 * c_i is task i's post-update return (mean discounted reward per step) standardised over the
 * meta-batch's tasks, so that its scale matches the normalised advantages of the surrogate and a
 * common offset of all returns, which carries no signal, drops out.
 */
public final class Exploration {
  private Exploration() {}

  /**
   * The credit of every task of a post-update batch ([T]): {@link #returns} standardised over the
   * batch's tasks.
   *
   * @throws IllegalArgumentException if the batch has no {@link Batch#episodic() rewards}
   */
  public static double[] credits(Batch valid) {
    double[] r = returns(valid);
    double[] c = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      c[i] = credit(r[i], r);
    }
    return c;
  }

  /**
   * Every task's post-update return ([T]): the mean over its episodes of the time-averaged
   * discounted reward, the quantity its credit standardises.
   *
   * @throws IllegalArgumentException if the batch has no {@link Batch#episodic() rewards}
   */
  public static double[] returns(Batch valid) {
    if (valid.episodic() == null) {
      throw new IllegalArgumentException("E-MAML's exploration term needs the post-update rewards;"
          + " build the batch with Batch.of(episodes, advantages, rewards, type)");
    }
    double[] perRow = valid.episodic().discountedRewards().mul(valid.weights()).toDoubles();
    int t = valid.tasks();
    int rows = perRow.length / t;
    double[] r = new double[t];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < rows; j++) {
        r[i] += perRow[i * rows + j];
      }
    }
    return r;
  }

  /**
   * One task's credit: its return {@code own} standardised by the mean and standard deviation of
   * the meta-batch's returns {@code all} (in task order, float64). A task's work computes it from
   * the returns a meta-step sends, without knowing its own index: the cross-task statistics are
   * the same for every task, and its own return it knows.
   */
  public static double credit(double own, double[] all) {
    double mean = 0;
    for (double x : all) {
      mean += x;
    }
    mean /= all.length;
    double var = 0;
    for (double x : all) {
      var += (x - mean) * (x - mean);
    }
    double std = Math.sqrt(var / all.length);
    return (own - mean) / (std + 1e-8);
  }

  /**
   * The term at the current pre-update policy, summed over the batch's tasks and averaged over
   * the meta-batch's.
   *
   * @param pre the current pre-update policy on the pre-update observations
   * @param samplingLogProb log π_θold of the pre-update actions, constant
   * @param credits c_i of the batch's tasks ([tasks])
   */
  public static Tensor term(Distribution pre, Tensor samplingLogProb, Batch train, double[] credits) {
    if (credits.length != train.tasks()) {
      throw new IllegalArgumentException("need one credit per task, got " + credits.length + " for " + train.tasks());
    }
    Tensor c = Tensor.of(credits, samplingLogProb.dataType(), credits.length, 1, 1);
    Tensor ratio = pre.logProb(train.actions()).sub(samplingLogProb).exp();
    return ratio.mul(train.weights()).mul(c).sum().scale(-1.0 / train.totalTasks());
  }

  /**
   * The term of every task of a batch on its own ([tasks]): -c_i Σ_t w_t π_θ(a_t|s_t) /
   * π_θold(a_t|s_t) over task i's pre-update steps, which a meta-step averages over tasks.
   */
  public static Tensor termPerTask(Distribution pre, Tensor samplingLogProb, Batch train, double[] credits) {
    if (credits.length != train.tasks()) {
      throw new IllegalArgumentException("need one credit per task, got " + credits.length + " for " + train.tasks());
    }
    Tensor c = Tensor.of(credits, samplingLogProb.dataType(), credits.length, 1, 1);
    Tensor ratio = pre.logProb(train.actions()).sub(samplingLogProb).exp();
    return Losses.perTask(ratio.mul(c), train).neg();
  }
}
