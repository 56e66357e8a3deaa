/**
 * Image data for few-shot classification (Finn et al. 2017, Section 5.2) and its task
 * distribution: N-way K-shot tasks over classes of grayscale images.
 *
 * <p>The data is what a Debian machine can have without a download at run time: glyphs of many
 * writing systems rendered from the {@code fonts-noto-core} fonts with random affine distortion
 * (a stand-in for Omniglot, generated once into a cache with a manifest), Fashion-MNIST from the
 * {@code dataset-fashion-mnist} package's IDX files, and, for a user who has it, Omniglot in its
 * standard folder layout. Every loader yields {@link io.maml4j.vision.ImageClass} values with a
 * meta-train, validation or meta-test split; {@link io.maml4j.vision.FewShotClassification}
 * draws tasks from one split.
 */
package io.maml4j.vision;
