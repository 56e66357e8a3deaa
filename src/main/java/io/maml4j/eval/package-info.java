/**
 * The test protocol of the MAML paper's RL experiments (Finn et al. 2017, Section 5.2 and
 * cbfinn/maml_rl's test scripts): held-out tasks drawn with a fixed seed, fine-tuned from a
 * starting policy by plain policy gradient for a few steps (α first, α/2 after), with the
 * average return after each step and a confidence interval over tasks. It consumes trained
 * parameters and produces numbers; drawing them is {@link io.maml4j.plot}'s job.
 */
package io.maml4j.eval;
