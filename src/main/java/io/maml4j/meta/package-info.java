/**
 * Model-Agnostic Meta-Learning (Finn, Abbeel, Levine 2017): the inner adaptation θ'_i = θ - α
 * ∇θ L_Ti(f_θ) (Algorithm 3 line 7, Equation 1) and meta-updates of θ through it (line 10),
 * here with TRPO as the meta-optimiser as in the paper's RL experiments.
 *
 * <p>The task loss is pluggable ({@link io.maml4j.meta.TaskLoss}): REINFORCE for RL, the mean
 * squared error for regression. {@link io.maml4j.meta.MamlAdam} takes Adam outer steps on any of
 * them, as in the paper's supervised experiments.
 *
 * <p>The methods after MAML-TRPO plug into the same inner loop: the inner-loss estimators LVC and
 * DiCE ({@link io.maml4j.meta.InnerEstimators}), ProMP's clipped outer objective ({@link
 * io.maml4j.meta.ProMpObjective}, {@link io.maml4j.meta.ProMp}) and E-MAML's exploration term
 * ({@link io.maml4j.meta.Exploration}) on MAML-TRPO.
 */
package io.maml4j.meta;
