/**
 * Reverse-mode automatic differentiation over ND4J arrays, with gradients that are
 * themselves differentiable.
 *
 * <p>MAML's meta-gradient differentiates through an inner gradient step (Finn et al. 2017,
 * Algorithm 3 line 10), and TRPO's curvature products differentiate through the adaptation
 * again, so every backward rule here is written with the same differentiable {@link
 * io.maml4j.autodiff.Tensor} operations as the forward pass. SameDiff 1.0.0-M2.1 cannot
 * differentiate its own gradients, which is why this small tape exists at all.
 *
 * <p>{@link io.maml4j.autodiff.Conv} adds the operations of a convolutional network (2D
 * convolution, max-pooling, batch normalisation with batch statistics) on images laid out
 * [T, C, B, H, W] (channel-major within a task), with filters shared or stacked per task.
 *
 * <p>Off-heap memory is released deterministically through {@link io.maml4j.autodiff.Arena}
 * scopes instead of waiting for the garbage collector.
 */
package io.maml4j.autodiff;
