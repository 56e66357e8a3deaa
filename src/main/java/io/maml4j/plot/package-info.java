/**
 * Charts of training runs and evaluations, drawn headless with JFreeChart as PNG (and SVG with
 * JFreeSVG), each written beside a CSV of exactly the numbers it plots. Plotting reads files
 * and evaluation results; it never touches training, which only records metrics.
 */
package io.maml4j.plot;
