/** DEVFLOW_STORAGE_S3_URL's form; the parser lives in core/s3-url.ts, shared with DEVFLOW_BACKUPS_URL. */
export { parseS3Url, type S3Location } from '../../core/s3-url.js';
