// Host choice as the Ollama transport sees it. One implementation: the fleet (src/fleet/host-registry.ts), which
// the native passthrough asks as well, so both rest a failed host for the same cooldown and rank hosts alike.

export interface HostPool {
  /** Hosts to try for one request, in order (a fleet ranks them by model and conversation). */
  candidates(model?: string, sessionId?: string): readonly string[];
  markDown(url: string, reason?: string): void;
  markUp(url: string): void;
  // Optional hooks a fleet (src/fleet/) implements; the plain pool below does not need them.
  /** Undefined when a host has room for the model now; else a wait for one (rejects busy when the queue is full or the wait too long). */
  admit?(model: string | undefined, signal: AbortSignal): Promise<void> | undefined;
  /** A request starts on the host. */
  begin?(url: string): void;
  /** That request ended (its body closed); firstByteMs when it got response headers. */
  end?(url: string, firstByteMs: number | undefined): void;
  /** The host failed a request with an HTTP error (busy, 5xx): remembered as its last error. */
  failed?(url: string, reason: string): void;
  /** The request left this host for the next candidate (busy, 5xx, refused, model missing). */
  failedOver?(url: string): void;
  /** The host answered a call for the model (so it now holds it in memory). */
  answered?(url: string, model: string): void;
  /** The host said it does not have the model: its model list is stale. */
  missed?(url: string, model: string): void;
  /** The conversation was served by this host (stickiness). */
  served?(sessionId: string, url: string): void;
  /** Every host, for calls that ask all of them (the union of model lists, probes). */
  urls(): readonly string[];
}
