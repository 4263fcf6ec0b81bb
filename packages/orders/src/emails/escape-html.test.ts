import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape-html.ts';

describe('escapeHtml', () => {
  it('escapes each special character', () => {
    expect(escapeHtml('&')).toBe('&amp;');
    expect(escapeHtml('<')).toBe('&lt;');
    expect(escapeHtml('>')).toBe('&gt;');
    expect(escapeHtml('"')).toBe('&quot;');
    expect(escapeHtml("'")).toBe('&#39;');
  });

  it('escapes a script payload and leaves other text alone', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'Bob'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Bob&#39;',
    );
    expect(escapeHtml('Plain text, Zoë — 100%')).toBe('Plain text, Zoë — 100%');
  });

  it('does not double-escape by accident of order', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});
