/**
 * Simulated units: a seeded random number generator and the habits it gives each unit. The same seed
 * gives the same habits and the same choices, so a simulation can be repeated and compared.
 */

/** mulberry32: small, fast, good enough for picking behaviours; deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Habit = 'reliable' | 'sloppy' | 'absent';
export type Choice = 'on-time' | 'late' | 'never' | 'extension';

/** How often each habit ends in each choice, per round. */
const CHOICES: Record<Habit, Array<[Choice, number]>> = {
  reliable: [['on-time', 0.93], ['late', 0.05], ['extension', 0.02]],
  sloppy: [['on-time', 0.45], ['late', 0.35], ['extension', 0.1], ['never', 0.1]],
  absent: [['late', 0.15], ['never', 0.85]],
};

export class Behaviour {
  readonly random: () => number;
  private readonly habits = new Map<string, Habit>();

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
  }

  /** A unit's habit, fixed the first time it is asked: 70% reliable, 20% sloppy, 10% absent. */
  habitOf(unitId: string): Habit {
    let habit = this.habits.get(unitId);
    if (!habit) {
      const x = this.random();
      habit = x < 0.7 ? 'reliable' : x < 0.9 ? 'sloppy' : 'absent';
      this.habits.set(unitId, habit);
    }
    return habit;
  }

  /** What a unit does in one round. */
  choose(unitId: string): Choice {
    const options = CHOICES[this.habitOf(unitId)];
    let x = this.random();
    for (const [choice, p] of options) {
      if (x < p) return choice;
      x -= p;
    }
    return options[options.length - 1]![0];
  }

  /** A whole number in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** A budget estimate in whole millions of VND, between 200 million and 2 billion. */
  estimate(): string {
    return String(this.between(200, 2000) * 1_000_000);
  }

  /** The appraiser: mostly approves, sometimes adjusts down, sometimes returns. */
  decision(): 'approve' | 'adjust' | 'return' {
    const x = this.random();
    return x < 0.75 ? 'approve' : x < 0.9 ? 'adjust' : 'return';
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}
