/**
 * Model-Agnostic Meta-Learning (Finn, Abbeel, Levine 2017): the inner adaptation θ'_i = θ - α
 * ∇θ L_Ti(f_θ) (Algorithm 3 line 7, Equation 1) and meta-updates of θ through it (line 10),
 * here with TRPO as the meta-optimiser as in the paper's RL experiments.
 */
package io.maml4j.meta;
