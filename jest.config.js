/** Test projects: unit (pure modules), sim (X simulator), e2e (packaged app in the real runtime), faults. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.tools.json', isolatedModules: true }];
const base = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest } };

module.exports = {
    projects: [
        { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
        { ...base, displayName: 'sim', testMatch: ['<rootDir>/test/sim/**/*.test.ts'] },
        {
            ...base,
            displayName: 'e2e',
            testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
            globalSetup: '<rootDir>/test/e2e/global-setup.ts',
            setupFilesAfterEnv: ['<rootDir>/test/e2e/hook-timeout.ts'],
        },
        {
            // Small by default (part of `npm test`); `npm run test:faults` sets FAULTS_SCALE=full.
            ...base,
            displayName: 'faults',
            testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
            globalSetup: '<rootDir>/test/faults/global-setup.ts',
            globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
            setupFilesAfterEnv: ['<rootDir>/test/faults/test-timeout.ts'],
        },
    ],
};
