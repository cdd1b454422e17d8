/** Tool version, recorded in every statement this build signs. Kept in step with package.json (tested). */
export const VERSION = '0.1.0';
export const TOOL_NAME = 'provenant';
