/** The {@code maml4j} command line: train, bench and the other subcommands. */
package io.maml4j.cli;
