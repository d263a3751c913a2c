import { DIRECT_PARTNERS, groupOf, Population } from './population';

export enum EventKind {
  Direct = 0,
  Group = 1,
  Typing = 2,
}

/**
 * An open-loop schedule: every event has its intended time, fixed before the run starts, so a
 * slow server cannot slow the arrivals down and hide its own stall.
 */
export interface Schedule {
  /** Milliseconds after the schedule's start. */
  at: Float64Array;
  kind: Uint8Array;
  sender: Uint32Array;
  /** Index into population.directPairs for direct messages and typing, into groupIds for group messages. */
  target: Uint32Array;
  messages: number;
}

export interface ScheduleOptions {
  rate: number;
  durationSeconds: number;
  groupShare: number;
  /** Typing events per message, sent to a direct conversation of the sender. */
  typingShare: number;
  seed: number;
}

/** mulberry32: a small seeded generator, so the server and the baseline get the very same schedule. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson arrivals at `rate` messages per second plus typing events, sorted by intended time. */
export function buildSchedule(population: Population, options: ScheduleOptions): Schedule {
  const next = random(options.seed);
  const users = population.userIds.length;
  const totalRate = options.rate * (1 + options.typingShare);
  const horizonMs = options.durationSeconds * 1000;
  const events: { at: number; kind: EventKind; sender: number; target: number }[] = [];

  for (let at = -Math.log(1 - next()) * (1000 / totalRate); at < horizonMs; at += -Math.log(1 - next()) * (1000 / totalRate)) {
    const sender = Math.floor(next() * users);
    const pair = sender * DIRECT_PARTNERS + Math.floor(next() * DIRECT_PARTNERS);
    const group = groupOf(population, sender);
    const draw = next() * (1 + options.typingShare);

    if (draw >= 1) events.push({ at, kind: EventKind.Typing, sender, target: pair });
    else if (draw < options.groupShare && group !== undefined) events.push({ at, kind: EventKind.Group, sender, target: group });
    else events.push({ at, kind: EventKind.Direct, sender, target: pair });
  }

  const schedule: Schedule = {
    at: new Float64Array(events.length),
    kind: new Uint8Array(events.length),
    sender: new Uint32Array(events.length),
    target: new Uint32Array(events.length),
    messages: 0,
  };
  events.forEach((event, index) => {
    schedule.at[index] = event.at;
    schedule.kind[index] = event.kind;
    schedule.sender[index] = event.sender;
    schedule.target[index] = event.target;
    if (event.kind !== EventKind.Typing) schedule.messages += 1;
  });
  return schedule;
}
