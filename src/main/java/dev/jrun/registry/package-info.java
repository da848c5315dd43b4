/**
 * The OCI distribution client. {@link dev.jrun.registry.RegistryClient} is the facade; each
 * operation is one small endpoint class ({@code ManifestEndpoint}, {@code BlobEndpoint},
 * {@code BlobUploadEndpoint}, {@code TokenEndpoint}) that describes itself for error messages
 * ("fetch manifest 127.0.0.1:5000/test/busybox:latest: ..."), over one HTTP layer
 * ({@code RegistryTransport}: scheme choice, Bearer/Basic auth, safe redirects).
 *
 * <p>Everything a registry sends is hostile: manifests are capped at 4 MiB and parsed strictly
 * ({@link dev.jrun.registry.ManifestParser}), blobs are hashed and counted while they stream and
 * refused on any mismatch, tokens and error bodies are size-capped, and registry text is
 * shortened and stripped of control characters before it reaches a terminal.
 *
 * <p>This package knows nothing of image references or registries.conf (package
 * {@code dev.jrun.image} maps those to a {@link dev.jrun.registry.RemoteRepository}) nor of the
 * store (callers give a {@link dev.jrun.registry.BlobSink}).
 */
package dev.jrun.registry;
