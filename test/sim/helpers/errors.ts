import { ApiResponseError } from 'twitter-api-v2';

/** The rejection of a call that must fail, whatever was thrown. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
        () => {
            throw new Error('expected the call to fail');
        },
        (error: unknown) => error,
    );
}

/** The ApiResponseError of a call that must fail with an HTTP error. */
export async function rejection(promise: Promise<unknown>): Promise<ApiResponseError> {
    const error = await failure(promise);
    expect(error).toBeInstanceOf(ApiResponseError);
    return error as ApiResponseError;
}
