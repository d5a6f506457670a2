@testable import FlexSync

/// The vendor sets' files, and how later sets' writers named their kinds of defect.
extension VendorDefectTests {
    /// The eighth to eleventh sets' writers named kinds their own way.
    static let laterSetsEvidence: [String: @Sendable (Problem) -> Bool] = {
        var rules: [String: @Sendable (Problem) -> Bool] = [
            "duplicate_id": { $0.rule.hasPrefix("duplicate key") },
            "duplicate_id_case": { $0.rule.hasPrefix("duplicate key (the same id in other letter case)") },
            "duplicate_email": { $0.rule.hasPrefix("duplicate fallback key") },
            "empty_id": { $0.rule.hasPrefix("empty key") },
            "zero_id": { $0.rule.hasPrefix("an id of zeros only") },
            "id_scientific_notation": { $0.rule.contains("scientific notation") },
            "id_leading_zeros_stripped": { $0.rule.contains("leading zeros lost") },
            "zip_leading_zero_lost": { $0.rule.contains("leading zero lost") },
            "date_placeholder": { $0.rule.hasPrefix("placeholder date") },
            "unknown_country": { $0.rule.contains("unknown country") },
            "repeated_header": { $0.rule.contains("repeats the header") },
            "totals_line": { $0.rule.contains("total line") },
            "footer_line": { $0.rule.contains("total line") || $0.rule.contains("footer line") },
            "empty_required_id": { $0.rule.hasPrefix("empty key") },
            "id_leading_zeros_lost": { $0.rule.contains("leading zeros lost") },
            "id_lost_leading_zeros": { $0.rule.contains("leading zeros lost") },
            "lost_letters": { $0.rule.hasPrefix("lossy text") },
            "lossy_question_mark": { $0.rule.hasPrefix("lossy text") },
            "mojibake_utf8_as_1252": { $0.rule.hasPrefix("lossy text") },
            "date_as_text_impossible": { $0.rule.hasPrefix("not a date") || $0.rule.hasPrefix("ambiguous date") },
            "empty_id_skipped_cell": { $0.rule.hasPrefix("empty key") },
            "excel_error_value": { $0.rule.hasPrefix("an Excel formula error") },
            "totals_row": { $0.rule.contains("total line") },
            "value_in_blank_column": { $0.rule.contains("whose header is blank") },
            "value_too_long": { $0.rule.hasPrefix("longer than 128") },
            "zip_lost_leading_zero": { $0.rule.contains("leading zero lost") },
            "formula_error": { $0.rule.hasPrefix("an Excel formula error") },
            "id_lost_prefix_number": { $0.rule.contains("leading zeros lost") },
            "name_without_code": { $0.rule.contains("shows in Insights only when") },
            "impossible_date_text": { $0.rule.hasPrefix("not a date") },
            "invalid_email": { $0.rule.contains("e-mail") },
            "placeholder_email": { $0.rule.contains("e-mail") },
            "ambiguous_date": { $0.rule.hasPrefix("ambiguous date") || $0.rule.hasPrefix("not a date") },
            "excel_formula_error": { $0.rule.hasPrefix("an Excel formula error") || $0.field.hasSuffix("phone") },
            "group_header_row": { $0.rule.hasPrefix("a report's group heading") },
            "subtotal_row": { $0.rule.contains("total line") },
            "total_row": { $0.rule.contains("total line") },
            "name_without_id": { $0.rule.contains("shows in Insights only when") },
            "whitespace_only_id": {
                $0.rule.hasPrefix("empty key") || $0.rule.contains("required")
                    || $0.rule.contains("shows in Insights only when")
            },
            "quoted_newline_in_value": { $0.rule.hasPrefix("a line break inside the value") },
            // The thirteenth set's.
            // A line break, or one escaped twice (`&#10;` in Zoho's XML).
            "embedded_line_break": {
                $0.rule.hasPrefix("a line break inside the value")
                    || $0.rule.hasPrefix("an HTML character reference written as text")
            },
            "department_name_without_id": { $0.rule.contains("shows in Insights only when") },
            "duplicate_id_leading_zeros": { $0.rule.contains("leading zeros lost") },
            "id_empty": { $0.rule.hasPrefix("empty key") },
            "id_nbsp": { $0.rule.hasPrefix("a no-break space around the id") },
            "shared_fallback_phone": { $0.rule.hasPrefix("duplicate fallback key") },
            "unbalanced_quote_midfield": { $0.rule.hasPrefix("a lone '\"' in a value written without quotes") },
            "bom_and_header_mid_file": { $0.rule.contains("repeats the header") },
            // The fourteenth set's.
            "nbsp_around_id": { $0.rule.hasPrefix("a no-break space around the id") },
            "stray_byte": { $0.rule.hasPrefix("an invisible control character") },
            // A postcode's zero, or an id's (the fifteenth set's Sage `107` for `000107`).
            "leading_zero_lost": { $0.rule.contains("leading zero lost") || $0.rule.contains("leading zeros lost") },
            "leading_zero_lost_or_short": { $0.rule.contains("leading zero lost") },
            "leading_zeros_lost": { $0.rule.contains("leading zeros lost") }
        ]
        let notADate: @Sendable (Problem) -> Bool = { $0.rule.hasPrefix("not a date") }
        let lossy: @Sendable (Problem) -> Bool = { $0.rule.hasPrefix("lossy text") }
        let fieldCount: @Sendable (Problem) -> Bool = {
            $0.rule.hasPrefix("found ") && $0.rule.contains("but the header has")
        }
        let email: @Sendable (Problem) -> Bool = { $0.rule.contains("e-mail") }
        let phone: @Sendable (Problem) -> Bool = { $0.field.hasSuffix("phone") }
        let placeholderDate: @Sendable (Problem) -> Bool = { $0.rule.hasPrefix("placeholder date") }
        let scientific: @Sendable (Problem) -> Bool = { $0.rule.contains("scientific notation") }
        for kind in [
            "date_wrong_format", "impossible_date", "date_impossible", "date_month_day_swapped", "date_two_digit_year",
            "date_not_leap_year"
        ] {
            rules[kind] = notADate
        }
        for kind in [
            "date_placeholder_1900", "date_placeholder_1c_empty", "date_placeholder_excel_day0",
            "date_placeholder_1899",
            "date_placeholder_minvalue"
        ] {
            rules[kind] = placeholderDate
        }
        let duplicate: @Sendable (Problem) -> Bool = { $0.rule.hasPrefix("duplicate key") }
        for kind in ["duplicate_id_exact", "id_trailing_space_duplicate", "duplicate_id_whitespace"] {
            rules[kind] = duplicate
        }
        let outsideYears: @Sendable (Problem) -> Bool = { $0.rule.contains("outside Insights' years") }
        for kind in ["date_year_1899", "date_year_2099"] { rules[kind] = outsideYears }
        for kind in ["id_excel_scientific", "id_scientific", "excel_scientific_id"] { rules[kind] = scientific }
        for kind in [
            "mojibake", "question_mark_loss", "lossy_question_marks", "mojibake_cp857_as_cp1254",
            "mojibake_utf8_as_cp1251", "mojibake_utf8_as_cp1252", "mojibake_utf8_as_cp1254", "stray_utf8"
        ] {
            rules[kind] = lossy
        }
        for kind in [
            "extra_field", "missing_field", "stray_delimiter", "row_too_few_fields", "row_too_many_fields",
            "too_few_fields", "too_many_fields"
        ] {
            rules[kind] = fieldCount
        }
        for kind in [
            "email_double_at", "email_fullwidth_at", "email_missing_domain", "email_space", "email_trailing_dot",
            "email_typo", "email_double_dot", "email_no_tld", "email_placeholder", "email_missing_at",
            "email_two_addresses"
        ] {
            rules[kind] = email
        }
        for kind in [
            "phone_excel_scientific", "phone_incomplete", "phone_local_no_area_code", "phone_placeholder",
            "phone_text_placeholder", "phone_excel_damaged", "phone_no_area_code", "phone_missing_area_code",
            "phone_placeholder_zeros", "phone_too_short", "phone_unknown_calling_code", "phone_digit_missing",
            "phone_without_area_code", "unknown_calling_code", "placeholder_phone", "phone_no_area_code",
            "phone_letters", "phone_local_only", "phone_lost_leading_zero", "phone_no_country", "phone_text",
            "phone_wrong_country", "excel_scientific_phone", "local_only_phone", "masked_phone", "too_short_phone",
            "wrong_country_phone"
        ] {
            rules[kind] = phone
        }
        return rules
    }()

    /// Kinds that are hazards rather than defects: nothing is reported at their place.
    static let harmless: Set<String> = ["null_sentinel", "missing_element"]

    static let secondSet = [
        "sf-users-odata.xml", "zendesk-users.xml", "fr-personnel.csv", "dynamics-contacts.txt",
        "freshdesk-contacts.csv"
    ]

    static let thirdSet = [
        "oracle-hcm-bip-workers.xml", "salesforce-soap-contacts.xml", "adp-wfn-workers.csv",
        "zoho-crm-contacts.csv", "ssms-kronos-agents.csv"
    ]

    static let fourthSet = [
        "genesys-cloud-people.csv", "five9-getUsersInfo.xml", "google-contacts.csv", "outlook-contacts.csv",
        "wfm-roster-excel-mac.csv"
    ]

    static let fifthSet = [
        "workday-get-workers.xml", "sap-hrmd-a07.xml", "rippling-employees.csv", "mailchimp-subscribed.csv",
        "clientes-libreoffice.csv"
    ]

    static let sixthSet = [
        "servicenow-sys_user.xml", "entra-exportUsers_2025-12-1.csv", "lista-pracownikow-pl.csv",
        "netsuite-customer-search.xml", "odoo-res_partner.csv"
    ]

    static let seventhSet = [
        "personio-mitarbeiter.csv", "peoplesoft-query-agents.xml", "pipedrive-persons.csv", "intercom-people-excel.csv"
    ]

    static let eighthSet = [
        "hibob-people.csv", "ukg-cognos-employees.xml", "jp-agents-cp932.csv", "freshsales-contacts.csv",
        "gusto-employees.csv"
    ]

    static let ninthSet = [
        "dayforce-employees.csv", "paylocity-census-es.csv", "copper-people.csv", "helpscout-customers.csv"
    ]

    static let tenthSet = [
        "tr-personel-listesi.csv", "1c-zup-sotrudniki.csv", "wfm-agents-xmlss.xml", "keap-contacts.csv",
        "gorgias-customers.csv"
    ]

    static let twelfthSet = [
        "salesforce-contacts-by-account.csv", "access-tblAgents.xml", "sqlserver-agents-forxml.xml",
        "servicenow-sys_user.csv", "zh-cn-agents-utf8.csv"
    ]

    static let thirteenthSet = [
        "visma-lonn-ansattliste.csv", "afas-profit-medewerkers.xml", "xero-contacts.csv", "front-contacts.csv",
        "zucchetti-anagrafica-dipendenti.csv"
    ]

    static let fourteenthSet = [
        "sf_userdata.csv", "protheus_funcionarios.csv", "amazon_connect_users.csv", "zendesk_sell_contacts.csv",
        "zoho_crm_contacts.xml"
    ]

    static let fifteenthSet = [
        "sage_hr_employees.csv", "factorial_empleados.csv", "pohoda_adresar.xml", "suitecrm_contacts.csv",
        "cxone_users.csv"
    ]

    /// The fifteenth set's writer's kinds.
    static let fifteenthSetEvidence: [String: @Sendable (Problem) -> Bool] = [
        "double_escaped": { $0.rule.hasPrefix("an HTML character reference written as text") },
        "html_entity": { $0.rule.hasPrefix("an HTML character reference written as text") },
        // An id in other letter case, or an e-mail (a fallback key) that differs in case alone.
        "duplicate_case": {
            $0.rule.hasPrefix("duplicate key (the same id in other letter case)")
                || $0.rule.hasPrefix("duplicate fallback key")
        },
        "duplicate_exact": { $0.rule.hasPrefix("duplicate key") },
        "duplicate_whitespace": { $0.rule.hasPrefix("duplicate key") },
        "embedded_newline": { $0.rule.hasPrefix("a line break inside the value") },
        "empty_record": { $0.rule.hasPrefix("empty key") },
        "missing_id": { $0.rule.hasPrefix("empty key") },
        "footer_total": { $0.rule.hasPrefix("a report's total line") },
        "missing_team_id": { $0.rule.contains("shows in Insights only when") },
        "mixed_encoding": { $0.rule.hasPrefix("lossy text") },
        "mojibake": { $0.rule.hasPrefix("lossy text") },
        "phone_letters": { $0.rule.hasPrefix("a letter where a digit should be") },
        "phone_masked": { $0.rule.hasPrefix("masked phone number") },
        "phone_no_area_code": { $0.rule.contains("without its area code") },
        "phone_scientific": { $0.rule.hasPrefix("phone number damaged by Excel") },
        "phone_too_short": { $0.rule.contains("not a valid") || $0.rule.contains("outside the assigned ranges") },
        "placeholder": {
            $0.rule.hasPrefix("placeholder") || $0.rule.hasPrefix("not a phone number")
                || $0.rule.hasPrefix("not an e-mail address")
        },
        "stray_quote": { $0.rule.hasPrefix("a lone '\"' in a value written without quotes") },
        "too_few_fields": { $0.rule.hasPrefix("found ") },
        "too_many_fields": { $0.rule.hasPrefix("found ") },
        "truncated_id": { $0.rule.hasPrefix("a UUID of 36 characters is expected") },
        "undefined_byte": { $0.rule.hasPrefix("an invisible control character") },
        "unknown_calling_code": { $0.rule.hasPrefix("unknown country calling code") },
        "unmapped_value": { $0.rule.hasPrefix("value is not in the map") },
        "wrong_country": { $0.rule.contains("not a valid") || $0.rule.contains("outside the assigned ranges") },
        "wrong_delimiter": { $0.rule.contains("the row's values are separated by") }
    ]

    static let sixteenthSet = [
        "oracle_hcm_workers.dat", "datev_personalstamm.csv", "dynamics_contactset.xml", "genesys_people.csv",
        "salesforce_jp_contacts.csv"
    ]

    /// The sixteenth set's writer's kinds.
    static let sixteenthSetEvidence: [String: @Sendable (Problem) -> Bool] = [
        "bad_date_format": { $0.rule.hasPrefix("not a date") },
        "bad_number": { $0.rule.hasPrefix("not a number") },
        // Salesforce Japan's id with an ideographic space after it: named, and one key with its twin.
        "duplicate_id_whitespace": {
            $0.rule.hasPrefix("duplicate key") || $0.rule.hasPrefix("a no-break space around the id")
        },
        "html_escaped": { $0.rule.hasPrefix("an HTML character reference written as text") },
        "invalid_byte": { $0.rule.hasPrefix("an invisible control character") || $0.rule.hasPrefix("lossy text") },
        "missing_required_id": { $0.rule.hasPrefix("empty key") },
        "phone_excel_scientific": { $0.rule.hasPrefix("phone number damaged by Excel") },
        "phone_letter_for_digit": { $0.rule.hasPrefix("a letter where a digit should be") },
        "phone_wrong_country": {
            $0.rule.hasPrefix("unknown country calling code") || $0.rule.contains("outside the assigned ranges")
                || $0.rule.contains("not a valid")
        },
        // An e-mail key is compared case-folded: its duplicate in other case is a plain one.
        "duplicate_id_case": {
            $0.rule.hasPrefix("duplicate key (the same id in other letter case)")
                || ($0.rule.hasPrefix("duplicate key") && $0.field.hasSuffix("email"))
        },
        // A report's footer, padded or alone on its line; Oracle's eText `TRAILER|25` is a short row.
        "footer_row": {
            $0.rule.contains("total line") || $0.rule.contains("footer line")
                || ($0.rule.hasPrefix("found ") && $0.rule.contains("but the header has"))
        },
        "bad_date": { $0.rule.hasPrefix("not a date") || $0.rule.contains("outside Insights' years") },
        "placeholder_value": {
            $0.rule.contains("stands for none, not an id") || $0.rule.hasPrefix("not an e-mail address")
                || $0.rule.hasPrefix("placeholder") || $0.rule.hasPrefix("not a phone number")
        }
    ]

    static let seventeenthSet = [
        "deel-people.csv", "bamboohr-directory.xml", "activecampaign-contacts.csv", "hubspot-companies.csv",
        "cz-zamestnanci.csv"
    ]

    /// The seventeenth set's writer's kinds.
    static let seventeenthSetEvidence: [String: @Sendable (Problem) -> Bool] = [
        "date_format_mixed": { $0.rule.hasPrefix("not a date") },
        "impossible_date": { $0.rule.hasPrefix("not a date") },
        "duplicate_fallback_phone": { $0.rule.hasPrefix("duplicate fallback key") },
        "duplicate_row": { $0.rule.hasPrefix("duplicate key") },
        "excel_scientific_id": { $0.rule.hasPrefix("an id Excel turned into scientific notation") },
        "excel_scientific_phone": { $0.rule.hasPrefix("phone number damaged by Excel") },
        "excel_text_prefix": { $0.rule.hasPrefix("an id behind Excel's text marker") },
        "homoglyph_email": { $0.rule.hasPrefix("Latin and Cyrillic or Greek letters in one part of the domain") },
        "html_escaped_twice": { $0.rule.hasPrefix("an HTML character reference written as text") },
        "masked_phone": { $0.rule.hasPrefix("masked phone number") },
        "mixed_encoding_utf8_in_cp1250": { $0.rule.hasPrefix("lossy text") },
        "non_numeric_number": { $0.rule.hasPrefix("not a number") },
        "number_locale": { $0.rule.hasPrefix("not a number") },
        "placeholder_department": { $0.rule.contains("stands for none, not an id") },
        "placeholder_team": { $0.rule.contains("stands for none, not an id") },
        "placeholder_phone": { $0.rule.hasPrefix("not a phone number") || $0.rule.hasPrefix("placeholder") },
        "placeholder_phone_zeros": { $0.rule.hasPrefix("placeholder, not a phone number") },
        "placeholder_email": { $0.rule.contains("e-mail") || $0.rule.hasPrefix("a placeholder mailbox") },
        "placeholder_id": { $0.rule.contains("stands for none, not an id") },
        "two_emails": { $0.rule.hasPrefix("not an e-mail address") },
        "two_phones": { $0.rule.contains("not a valid") || $0.rule.contains("outside the assigned ranges") },
        "typo_tld": { $0.rule.hasPrefix("a misspelt top-level domain") },
        "wrong_delimiter_row": { $0.rule.contains("the row's values are separated by") }
    ]

    static let eleventhSet = [
        "greek-agents.csv", "paychex-census.csv", "airtable-customers.csv", "roster.fods", "dynamics-contacts.csv"
    ]
}
