package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;

/**
 * Surrogate losses of the inner policy-gradient step whose first derivative is the REINFORCE
 * gradient but whose second derivative (what MAML's meta-gradient differentiates through)
 * differs. Each is a sum over tasks of per-task averages, like {@link Losses#reinforce}.
 *
 * <ul>
 *   <li>{@link #lvc}: ProMP's low-variance curvature estimator (Rothfuss et al. 2019, Equation
 *       8): per step π_θ(a|s) / ⊥π_θ(a|s) times the advantage. Its Hessian keeps only each step's
 *       own score terms, dropping the cross-time products that make REINFORCE's Hessian noisy,
 *       and is biased where earlier actions change later states.
 *   <li>{@link #dice}: the magic box □(τ_t) = exp(τ_t - ⊥τ_t) of the cumulative log-probability
 *       τ_t = Σ_{t'≤t} log π_θ(a_t'|s_t') times the discounted reward γ^t r_t (Foerster et al.
 *       2018, Equation 4), with the baseline term Σ_t (□(τ_{t-1}) - □(τ_t)) γ^t b(s_t) of Mao et
 *       al. (2019), whose derivatives of every order have expectation zero. Its derivatives of
 *       every order are unbiased; the first is REINFORCE with advantages γ^t (G_t - b(s_t)),
 *       G_t the discounted reward-to-go, not the batch's normalised GAE advantages.
 * </ul>
 *
 * <p>Every value equals the plain sum of weighted advantages (LVC) or discounted rewards (DiCE):
 * the box is 1 at any θ; only the derivatives carry the estimator.
 */
public final class InnerEstimators {
  private InnerEstimators() {}

  /** The magic box □(x) = exp(x - ⊥x): value 1, derivative □(x) ∇x. */
  static Tensor magicBox(Tensor x) {
    return x.sub(x.detach()).exp();
  }

  /** LVC on the batch's advantages: -Σ w · π_θ/⊥π_θ · A, summed over tasks. */
  public static Tensor lvc(Policy policy, Params params, Batch b) {
    Tensor logp = policy.forward(params, b.observations()).logProb(b.actions());
    return magicBox(logp).mul(b.advantages()).mul(b.weights()).sum().neg();
  }

  /**
   * LVC with the sampling policy in the denominator, as ProMP's reference code takes it for its
   * several optimisation steps on one set of samples: -Σ w · π_θ/π_old · A. At θ = θ_old it is
   * {@link #lvc} in value and in every derivative; away from it the ratio corrects for the
   * samples having been drawn by θ_old.
   *
   * @param samplingLogProb log π_old(a|s) of the batch's actions, constant
   */
  public static Tensor lvc(Distribution dist, Tensor samplingLogProb, Batch b) {
    Tensor ratio = dist.logProb(b.actions()).sub(samplingLogProb).exp();
    return ratio.mul(b.advantages()).mul(b.weights()).sum().neg();
  }

  /**
   * DiCE with a baseline: -Σ w · [□(τ_t) γ^t r_t + (□(τ_{t-1}) - □(τ_t)) γ^t b(s_t)], summed
   * over tasks, with τ_t the episode's cumulative log-probability up to step t.
   *
   * @throws IllegalArgumentException if the batch has no {@link Batch#episodic() time structure}
   */
  public static Tensor dice(Policy policy, Params params, Batch b) {
    return dice(policy, params, b, null);
  }

  /**
   * {@link #dice(Policy, Params, Batch)} with the stopped log-probabilities ⊥log π taken from
   * {@code referenceLogProb} ([T, K*H, 1], constant) instead of the current θ: at the θ they were
   * computed at it is the same function to every order, and elsewhere it is a plain function of
   * θ, which finite differences of its derivatives can check.
   *
   * @param referenceLogProb ⊥log π of the batch's actions, or null for the current θ
   */
  public static Tensor dice(Policy policy, Params params, Batch b, Tensor referenceLogProb) {
    return dice(policy.forward(params, b.observations()), b, referenceLogProb);
  }

  /**
   * {@link #dice(Policy, Params, Batch, Tensor)} on the policy's distribution over the batch's
   * observations, for a caller that already has it.
   */
  public static Tensor dice(Distribution dist, Batch b, Tensor referenceLogProb) {
    Batch.Episodic ep = b.episodic();
    if (ep == null) {
      throw new IllegalArgumentException("the dice estimator needs the episodes' rewards and baseline values;"
          + " build the batch with Batch.of(episodes, advantages, rewards, type)");
    }
    // Padding rows hold finite log-probabilities of zero observations; masking them keeps them
    // out of the cumulative sums (they come after each episode's steps, so this is for safety).
    Tensor logp = dist.logProb(b.actions()).mul(ep.valid());
    long tasks = logp.size(0);
    long rows = logp.size(1);
    int h = ep.horizon();
    // A running sum per episode: nothing mixes tasks, so a task's terms are the same in any group.
    Tensor cum = logp.reshape(tasks * rows / h, h).cumsum(false).reshape(tasks, rows, 1);
    Tensor before = cum.sub(logp);
    Tensor box;
    Tensor boxBefore;
    if (referenceLogProb == null) {
      box = magicBox(cum);
      boxBefore = magicBox(before);
    } else {
      Tensor ref = referenceLogProb.detach().mul(ep.valid());
      Tensor refCum = ref.reshape(tasks * rows / h, h).cumsum(false).reshape(tasks, rows, 1);
      box = cum.sub(refCum).exp();
      boxBefore = before.sub(refCum.sub(ref)).exp();
    }
    Tensor perStep = box.mul(ep.discountedRewards()).add(boxBefore.sub(box).mul(ep.discountedValues()));
    return perStep.mul(b.weights()).sum().neg();
  }
}
