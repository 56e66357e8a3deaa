/**
 * Strict JSON configuration: every field is checked for type and range, unknown fields are
 * errors, and every error names the file, the field and what was expected.
 */
package io.maml4j.config;
