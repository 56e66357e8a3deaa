/**
 * Reproductions of published figures on top of the library: few-shot sinusoid regression
 * evaluated as in the MAML paper (Finn et al. 2017, Section 5.1, Figures 2 and 3), and bandit
 * adaptation against random and unadapted policies. Computing the numbers and drawing them are
 * separate: {@link io.maml4j.experiments.SinusoidChart} only renders results it is given.
 */
package io.maml4j.experiments;
