import { isEmail, registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

// C0 and C1 control characters and DEL, except tab, line feed and carriage return.
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

// With the u flag a valid surrogate pair is one code point, so this matches only unpaired halves.
// PostgreSQL cannot store them: the driver would silently replace each with U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const CONTROL_MESSAGE = 'must not contain control characters other than tab, line feed and carriage return';
const SURROGATE_MESSAGE = 'must be valid Unicode (it contains an unpaired surrogate)';

/** Describe why a string cannot be stored as text, or return undefined when it can. */
function textProblem(value: string): string | undefined {
  if (FORBIDDEN_CONTROL.test(value)) return CONTROL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return SURROGATE_MESSAGE;
  return undefined;
}

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
          if (textProblem(value)) return false;
          const length = codePointLength(value.trim());
          return length >= min && length <= max;
        },
        defaultMessage(args: ValidationArguments) {
          const value = args.value;
          if (typeof value !== 'string') return `${args.property} must be a string`;
          const problem = textProblem(value);
          if (problem) return `${args.property} ${problem}`;
          return `${args.property} must be ${min} to ${max} characters`;
        },
      },
    });
  };
}

/**
 * Reject strings that PostgreSQL cannot store or compare as text: NUL and other control
 * characters (tab, line feed and carriage return aside) and unpaired surrogates. Non-strings
 * pass, so pair it with IsString.
 */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isStorableText',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || textProblem(value) === undefined,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${textProblem(String(args.value)) ?? 'is invalid'}`,
      },
    });
  };
}

/** IsEmail that fails on an unpaired surrogate instead of throwing URIError, as validator's isEmail does (13.15). */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isEmail',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) && isEmail(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a valid email address`,
      },
    });
  };
}
