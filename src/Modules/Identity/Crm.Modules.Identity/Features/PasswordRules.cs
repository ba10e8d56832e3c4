using FluentValidation;

namespace Crm.Modules.Identity.Features;

internal static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    /// <summary>At least 8 characters with a letter and a digit; at most 128 (the hasher's input stays bounded).</summary>
    public static IRuleBuilderOptions<T, string> StrongPassword<T>(this IRuleBuilder<T, string> rule) => rule
        .NotEmpty()
        .MinimumLength(MinLength)
        .MaximumLength(MaxLength)
        .Must(p => p is not null && p.Any(char.IsLetter) && p.Any(char.IsDigit))
        .WithMessage("The password must contain at least one letter and one digit.");
}
