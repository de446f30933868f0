/**
 * Computes app.json `implements` from the main class's `implements` clause: the runtime registers
 * event listeners only from that list, so it must never drift from the code.
 */
import * as fs from 'fs';
import * as ts from 'typescript';

export function computeImplements(classFilePath: string): string[] {
    const source = ts.createSourceFile(classFilePath, fs.readFileSync(classFilePath, 'utf8'), ts.ScriptTarget.ES2020, true);
    const names: string[] = [];
    let exportedClasses = 0;
    source.forEachChild((node) => {
        if (!ts.isClassDeclaration(node)) return;
        const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        if (!exported) return;
        exportedClasses++;
        for (const clause of node.heritageClauses ?? []) {
            if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
            for (const type of clause.types) names.push(type.expression.getText(source));
        }
    });
    if (exportedClasses !== 1) {
        throw new Error(`${classFilePath} must export exactly one class (found ${exportedClasses})`);
    }
    return [...new Set(names)].sort();
}
