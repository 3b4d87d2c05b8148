import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.js';

describe('html', () => {
  it('escapes interpolated strings', () => {
    expect(html`<p title="${'"x'}">${'<script>&'}</p>`.text).toBe('<p title="&#34;x">&#60;script&#62;&#38;</p>');
  });

  it('keeps nested Html and joins arrays', () => {
    expect(html`<ul>${['a', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text).toBe('<ul><li>a</li><li>b</li></ul>');
    expect(html`${raw('<b>')}`.text).toBe('<b>');
  });

  it('renders nothing for null, undefined and false', () => {
    expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
  });

  it('never lets markup characters through', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(html`${text}`.text).toBe(escaped);
      }),
    );
  });
});
