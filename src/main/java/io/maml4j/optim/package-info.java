/**
 * First-order optimisers over named parameters, used as MAML's outer (meta) optimiser where the
 * paper uses Adam instead of TRPO (Finn et al. 2017, Section 5.1).
 */
package io.maml4j.optim;
