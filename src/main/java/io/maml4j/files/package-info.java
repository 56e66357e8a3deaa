/**
 * How the toolkit writes files: every output (checkpoints, policies, configs, optimizer state,
 * metrics, charts, tables, reports) goes through {@link io.maml4j.files.AtomicFiles}, which
 * checks that every byte reached the disk and leaves the previous file untouched on failure.
 */
package io.maml4j.files;
