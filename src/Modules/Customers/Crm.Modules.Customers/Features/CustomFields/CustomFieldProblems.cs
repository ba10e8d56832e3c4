using Crm.SharedKernel.Errors;

namespace Crm.Modules.Customers.Features.CustomFields;

/// <summary>Problems of the custom field definitions, with stable types (listed in docs/modules/customers.md).</summary>
internal static class CustomFieldProblems
{
    public const string KeyTakenType = ProblemTypes.BaseUri + "custom-field-key-taken";
    public const string LimitReachedType = ProblemTypes.BaseUri + "custom-field-limit-reached";

    /// <summary>Keys are never reused, not even of a deactivated field: its values are still stored under the key.</summary>
    public static ConflictException KeyTaken(string key) =>
        new(KeyTakenType, "Custom field key already in use", $"A custom field with the key '{key}' already exists for this entity (keys of deactivated fields stay taken: their values are kept).");

    public static BusinessRuleException LimitReached(int limit) =>
        new(LimitReachedType, "Custom field limit reached", $"An entity can have at most {limit} custom fields, active or not.");
}
