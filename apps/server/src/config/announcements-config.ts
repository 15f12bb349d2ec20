/**
 * How the running server delivers announcements and keeps their records (`announcements` in the
 * configuration file).
 */
export interface AnnouncementsConfig {
  /** Tries of one announcement to one end entity before it is moved aside as a dead letter. */
  maxAttempts: number;
  /** The wait after the first failed try, doubled after each further one, seconds. */
  retrySeconds: number;
  /** The longest wait between two tries, seconds. */
  maxRetrySeconds: number;
  /** How long announcements every recipient received are kept (a record of what was sent), hours. */
  retainDeliveredHours: number;
  /** How long an announcement is kept at all, delivered or not (and its dead letters), days. */
  expireAfterDays: number;
}

/**
 * New connections (WebSocket and TCP together) taken per second, with a burst, before the rest
 * are told to retry (`admission` in the configuration file; `null` takes every connection).
 */
export interface AdmissionConfig {
  connectionsPerSecond: number;
  burst: number;
}

/** The embedded defaults of {@link AnnouncementsConfig}. */
export const DEFAULT_ANNOUNCEMENTS_CONFIG: AnnouncementsConfig = Object.freeze({
  maxAttempts: 5,
  retrySeconds: 30,
  maxRetrySeconds: 3600,
  retainDeliveredHours: 24,
  expireAfterDays: 30,
});

/** The embedded defaults of {@link AdmissionConfig}. */
export const DEFAULT_ADMISSION_CONFIG: AdmissionConfig = Object.freeze({ connectionsPerSecond: 500, burst: 1000 });
