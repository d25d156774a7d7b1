import { describe, expect, it } from "vitest";
import { changedFields, unitTree } from "./admin.svelte.ts";

describe("the unit tree", () => {
  it("nests units under their parents, roots first by id, and survives an unknown parent and a loop", () => {
    const u = (id: string, parent: string | null) => ({ id, name: id, parent }) as never;
    const tree = unitTree([u("B", "root"), u("root", null), u("A", "root"), u("A1", "A"), u("lost", "nowhere"), u("x", "y"), u("y", "x")]);
    expect(tree.map((n) => n.unit.id)).toEqual(["lost", "root"]);
    expect(tree[1]!.children.map((n) => [n.unit.id, n.children.map((c) => c.unit.id)])).toEqual([
      ["A", ["A1"]],
      ["B", []],
    ]);
  });
});

describe("an audit row's changes", () => {
  it("lists the fields whose values differ, compact, and every field of an addition", () => {
    expect(changedFields('{"level":1,"name":"陳"}', '{"level":2,"name":"陳","email":"a@b.tw"}')).toEqual([
      { field: "level", before: "1", after: "2" },
      { field: "email", before: null, after: '"a@b.tw"' },
    ]);
    expect(changedFields(null, '{"id":"U-X"}')).toEqual([{ field: "id", before: null, after: '"U-X"' }]);
    expect(changedFields('["a"]', '["a","b"]')).toEqual([{ field: "", before: '["a"]', after: '["a","b"]' }]);
    expect(changedFields('{"a":1}', '{"a":1}')).toEqual([]);
  });
});
