import { SandboxClock } from './sandbox-clock';

describe('SandboxClock', () => {
  it('follows its source clock plus the steps taken, until reset', () => {
    let source = 1_000;
    const clock = new SandboxClock(() => source);
    expect(clock.advance(500)).toBe(1_500);
    source = 2_000;
    expect(clock.now()).toBe(2_500);
    clock.reset();
    expect(clock.now()).toBe(2_000);
  });

  it('refuses a step back or a step that is not a number, unless told it may go back', () => {
    const clock = new SandboxClock(() => 0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
    const back = new SandboxClock(() => 0, true);
    expect(back.advance(-1)).toBe(-1);
    expect(() => back.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
