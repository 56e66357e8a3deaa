/**
 * Environments in another process, over the Gym HTTP API (openai/gym-http-api): an OkHttp
 * {@link io.maml4j.gym.GymHttpClient} that speaks both the Gym ({@code done}) and the Gymnasium
 * ({@code terminated}/{@code truncated}) dialects, a {@link io.maml4j.gym.RemoteEnvironment} and a
 * {@link io.maml4j.gym.RemoteTaskDistribution} that meta-train through it (tasks travel as
 * creation {@code kwargs}), and a {@link io.maml4j.gym.GymHttpServer} that offers every
 * registered environment to other languages. A batched extension ({@code /v1/batch/...}) steps
 * many instances per round trip; the client discovers it and falls back to the plain protocol
 * against a stock server. A spec may list several servers ({@code "urls"}): instances are spread
 * over them (instance j on server j mod S), one
 * batched call per server per step, all servers called at once.
 */
package io.maml4j.gym;
