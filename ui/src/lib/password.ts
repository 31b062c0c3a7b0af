/**
 * The password rules of a default Amazon Cognito user pool, shown as hints while a new
 * password is typed. Hints only: the service decides, and its refusal is shown in words.
 */
import { m } from "$lib/i18n";

export interface PasswordRule {
  label: string;
  met: boolean;
}

export function passwordRules(password: string): PasswordRule[] {
  return [
    { label: m.password_rule_length(), met: [...password].length >= 8 },
    { label: m.password_rule_lowercase(), met: /\p{Ll}/u.test(password) },
    { label: m.password_rule_uppercase(), met: /\p{Lu}/u.test(password) },
    { label: m.password_rule_number(), met: /\d/.test(password) },
    { label: m.password_rule_symbol(), met: /[^\p{L}\p{N}\s]/u.test(password) },
  ];
}
