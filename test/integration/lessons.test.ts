/**
 * Lessons never drift: every command of every lesson in docs/lessons/ runs, and what it prints
 * is compared with the output block the lesson shows (the conventions: docs/lessons/README.md,
 * "Lessons never drift"). Commands run the built CLI in child processes, served devices
 * (`boot ... &`) included, so no device runs in this test's process. Lessons run in parallel,
 * each in its own work directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareOutput, isBackground, lessonEnv, lessonsDir, normalizeOutput, parseLesson, readLessons, runCommand, stopBackground, type Lesson, type LessonBlock, type LessonEnv,
} from '../../emulator/cli/demo/lesson-script.js';
import { LESSONS } from '../../emulator/cli/demo-commands.js';

const lessons = readLessons();

/** Runs one block of a lesson; returns what did not go as the lesson shows. */
async function runBlock(lesson: Lesson, block: LessonBlock, le: LessonEnv): Promise<string[]> {
  const problems: string[] = [];
  let output = '';
  for (const command of block.commands) {
    const r = await runCommand(command, le, { timeoutMs: 20_000, group: true });
    output += r.output;
    const want = isBackground(command) ? 0 : block.exit;
    if (r.status !== want) problems.push(`${lesson.file}:${block.line}: \`${command}\` exited ${r.status}, the lesson expects ${want}\n${r.output}`);
  }
  if (block.expected === undefined) return problems;
  const actual = normalizeOutput(output, le.work);
  const mismatch = compareOutput(block.expected, actual);
  if (mismatch) problems.push(`${lesson.file}:${block.line}: ${mismatch}\n--- printed:\n${actual}\n---`);
  return problems;
}

/** Runs one lesson; returns one entry per block that did not print what the lesson shows. */
async function runLesson(lesson: Lesson): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'trustbox-lesson-'));
  const le = lessonEnv(work);
  const problems: string[] = [];
  try {
    for (const block of lesson.blocks) {
      // Load can change two things, and then a block runs again (twice at most): a secure thread
      // preempted (its 10 ms slices are real time, even on a virtual clock) adds an
      // OPTEE_SMC_RETURN_RPC_FOREIGN_INTR round trip to a trace, and a `trace ... & sleep 2`
      // that connects after the call it should show waits for a call that never comes.
      for (let attempt = 0; ; attempt++) {
        const found = await runBlock(lesson, block, le);
        const retry = found.length > 0 && found.some((p) => p.includes('FOREIGN_INTR') || p.includes('[killed after'))
          && !block.commands.some(isBackground) && attempt < 2;
        if (!retry) { problems.push(...found); break; }
      }
    }
  } finally {
    await stopBackground(le);
    rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

describe('the course in docs/lessons/', () => {
  it('has at least eight lessons, each with commands, output to expect, notes and a question', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(8);
    for (const l of lessons) {
      const text = readFileSync(join(lessonsDir(), l.file), 'utf8');
      expect(l.blocks.length, l.file).toBeGreaterThan(0);
      expect(l.blocks.some((b) => b.expected !== undefined), l.file).toBe(true);
      expect(text, l.file).toMatch(/\*\*Goals\.\*\*/);
      expect(text, l.file).toMatch(/What to notice/);
      expect(text, l.file).toMatch(/\*\*Question for the class\.\*\*/);
    }
  });

  it('every lesson has a demo with its title, and the index links every lesson', () => {
    expect(LESSONS.map((l) => l.file)).toEqual(lessons.map((l) => l.file));
    const index = readFileSync(join(lessonsDir(), 'README.md'), 'utf8');
    for (const l of lessons) {
      const demo = LESSONS.find((d) => d.file === l.file)!;
      expect(demo.title, l.file).toBe(l.title);
      expect(index).toContain(`](${l.file})`);
      expect(index).toContain(`\`demo ${demo.name}\``);
    }
  });

  it('the output matcher: … within a line, … lines, and a first mismatch named', () => {
    expect(compareOutput('a …z\n…\nend', 'a 0x12 z\nx\ny\nend')).toBeUndefined();
    expect(compareOutput('a\n…\nb', 'a\nb')).toBeUndefined();
    expect(compareOutput('a\nb', 'a\nc')).toMatch(/expected line 2: b/);
    expect(compareOutput('a', 'a\nmore')).toMatch(/past the last expected line/);
    const parsed = parseLesson('09-x.md', '# Lesson 9: X\n<!-- exit 3 -->\n```sh\necho a \\\n  b\n# note\nx &\n```\n\n```\nout\n```\n');
    expect(parsed).toMatchObject({ name: 'x', title: 'X', blocks: [{ commands: ['echo a b', 'x &'], expected: 'out', exit: 3 }] });
  });

  it('every command of every lesson prints what the lesson shows', async () => {
    // Four lessons at a time: all at once would load a small machine enough to slow every command.
    const problems: string[] = [];
    const queue = [...lessons];
    await Promise.all([0, 1, 2, 3].map(async () => {
      for (let l = queue.shift(); l; l = queue.shift()) problems.push(...await runLesson(l));
    }));
    expect(problems.join('\n\n')).toBe('');
  }, 90_000);
});
