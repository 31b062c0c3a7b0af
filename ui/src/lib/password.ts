/**
 * The password rules of a default Amazon Cognito user pool, shown as hints while a new
 * password is typed. Hints only: the service decides, and its refusal is shown in words.
 */
export interface PasswordRule {
  label: string;
  met: boolean;
}

export function passwordRules(password: string): PasswordRule[] {
  return [
    { label: "At least 8 characters", met: [...password].length >= 8 },
    { label: "A lowercase letter", met: /\p{Ll}/u.test(password) },
    { label: "An uppercase letter", met: /\p{Lu}/u.test(password) },
    { label: "A number", met: /\d/.test(password) },
    { label: "A symbol, such as ! or -", met: /[^\p{L}\p{N}\s]/u.test(password) },
  ];
}
