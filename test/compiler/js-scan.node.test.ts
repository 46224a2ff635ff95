/**
 * `require(` is found in code and only in code: comments, strings, templates and regex
 * literals that mention it are not connector mistakes.
 */
import { describe, expect, it } from 'vitest'
import { assignsModuleExports, findRequireCalls, maskNonCode } from '../../scripts/compiler/js-scan.ts'

const requireCases: Array<{ code: string; offsets: number[] }> = [
  { code: "const fs = require('fs')", offsets: [11] },
  { code: "const fs = require ('fs')", offsets: [11] },
  { code: "// const fs = require('fs')\nexports.test = 1", offsets: [] },
  { code: "/* require('fs') */ exports.test = 1", offsets: [] },
  { code: 'const note = "require(\'fs\')"', offsets: [] },
  { code: "const note = 'it\\'s require(fs)'", offsets: [] },
  { code: 'const note = `require(${1})`', offsets: [] },
  { code: 'const value = `${require("fs")}`', offsets: [17] },
  { code: 'const pattern = /require\\(/g', offsets: [] },
  { code: "const half = total / 2; const fs = require('fs')", offsets: [35] },
  { code: 'module.require("fs"); myrequire("fs")', offsets: [] },
]

describe('finding require calls', () => {
  it.each(requireCases)('finds $offsets in $code', ({ code, offsets }) => {
    expect(findRequireCalls(maskNonCode(code))).toEqual(offsets)
  })

  it('keeps offsets and newlines so positions stay exact', () => {
    const code = "// one\nconst a = 'x'\n`t\n${b}`"
    const masked = maskNonCode(code)
    expect(masked.length).toBe(code.length)
    expect(masked.split('\n').length).toBe(code.split('\n').length)
  })
})

describe('finding module.exports assignments', () => {
  it.each([
    { code: 'module.exports = async () => true', assigns: true },
    { code: 'module.exports.test = async () => true', assigns: false },
    { code: 'if (module.exports == null) {}', assigns: false },
    { code: '// module.exports = x', assigns: false },
  ])('says $assigns for $code', ({ code, assigns }) => {
    expect(assignsModuleExports(maskNonCode(code))).toBe(assigns)
  })
})
