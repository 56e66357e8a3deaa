/**
 * Variance reduction for the policy gradient: returns, generalised advantage estimation and the
 * linear feature baseline that the reference MAML implementations fit per task.
 */
package io.maml4j.baseline;
