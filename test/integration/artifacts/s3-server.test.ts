import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';

describe('s3-server fixture', () => {
  let s3: S3ServerHandle;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3.close();
  });

  it('serves S3 on a loopback port with the returned credentials', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.createBucket('fixture-check');
    await s3.createBucket('fixture-check'); // idempotent
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await client.send(new PutObjectCommand({ Bucket: 'fixture-check', Key: 'a/b.txt', Body: 'hello' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'fixture-check', Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    client.destroy();
  });

  it('rejects an unknown access key id (s3rver does not verify SigV4 signatures)', async () => {
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: s3.secretAccessKey },
    });
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'fixture-check', Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    client.destroy();
  });
});
