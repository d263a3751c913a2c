import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

// C0 and C1 control characters and DEL, except tab, line feed and carriage return.
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/** Length of a string in Unicode code points, so an emoji counts as one and not as two UTF-16 units. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Require a string of min to max code points after trimming, with no control characters
 * other than tab, line feed and carriage return.
 */
export function IsTextContent(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTextContent',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      // Exposed so the socket protocol document can state the bounds.
      constraints: [min, max],
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          if (FORBIDDEN_CONTROL.test(value)) return false;
          const length = codePointLength(value.trim());
          return length >= min && length <= max;
        },
        defaultMessage(args: ValidationArguments) {
          const value = args.value;
          if (typeof value !== 'string') return `${args.property} must be a string`;
          if (FORBIDDEN_CONTROL.test(value)) {
            return `${args.property} must not contain control characters other than tab, line feed and carriage return`;
          }
          return `${args.property} must be ${min} to ${max} characters`;
        },
      },
    });
  };
}
