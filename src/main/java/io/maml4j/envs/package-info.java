/** Built-in task distributions and the registry that builds them from JSON specs. */
package io.maml4j.envs;
