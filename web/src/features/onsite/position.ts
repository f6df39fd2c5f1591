// The phone's position for a check-in, from the browser's Geolocation API (no library: it
// is one call). A fresh fix is asked for (maximumAge 0): a cached position from home would
// pin the site in the wrong place.
export type Fix = { lat: number; lon: number; accuracy_m: number };

export class NoPosition extends Error {
  readonly denied: boolean;
  constructor(denied: boolean) {
    super(denied ? "geolocation denied" : "geolocation unavailable");
    this.denied = denied;
  }
}

export function currentFix(geo: Geolocation | undefined = globalThis.navigator?.geolocation): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!geo) {
      reject(new NoPosition(false));
      return;
    }
    geo.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
      (err) => reject(new NoPosition(err.code === err.PERMISSION_DENIED)),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 0 },
    );
  });
}
