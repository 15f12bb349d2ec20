/** How long a subscriber may take to answer a pushed announcement. */
const POST_TIMEOUT_MS = 10_000;

/**
 * POSTs one announcement to a subscriber's URL (RFC 9811 section 3.7, RFC 6712 section 3.7):
 * `application/pkixcmp`, and the receiver answers `201` (stored) or `202` (accepted) with an
 * empty body. Any other status, or no answer in time, rejects, and the announcement stays pending.
 */
export async function postAnnouncement(url: string, message: Uint8Array): Promise<201 | 202> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/pkixcmp' },
    body: new Uint8Array(message),
    signal: AbortSignal.timeout(POST_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (response.status !== 201 && response.status !== 202) {
    throw new Error(`server: ${url} answered the announcement with HTTP ${response.status}`);
  }
  return response.status;
}
