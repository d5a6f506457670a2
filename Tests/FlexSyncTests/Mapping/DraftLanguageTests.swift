import Foundation
import Testing

@testable import FlexSync

/// Drafted mappings from exports whose column names are in other languages or vendors' words.
struct DraftLanguageTests {
    /// Spanish and Sage 50 column names, and an XML record's nested `id` and `name` (Pohoda's
    /// address book), are drafted as the columns they are.
    @Test(arguments: [
        (
            "csv",
            "Tipo de empleado;Nº empleado;Nombre;Apellidos;Correo del responsable;Correo;Teléfono;Equipos;Puesto;"
                + "Responsable\nFijo;18421;Ana;Lima;bo@x.es;a@x.es;612 345 678;Ventas;Agente;Bo\n"
                + "Fijo;18422;Bo;Gil;eva@x.es;b@x.es;612 345 679;Ventas;Jefe;Eva\n"
                + "Temporal;18423;Eva;Ruiz;bo@x.es;e@x.es;612 345 680;Soporte;Agente;Bo\n",
            MappingTarget.workers,
            [
                "  agent_id: \"Nº empleado\"", "  full_name: { template: \"{Nombre} {Apellidos}\" }",
                "  role: \"Puesto\"", "  manager: \"Responsable\"", "  team_name: \"Equipos\"",
                "  phone: { field: \"Teléfono\"", "  email: { field: \"Correo\""
            ]
        ),
        (
            "csv",
            "Employee Reference,Title,Forename,Surname,E-mail Address,Mobile Number\n"
                + "000107,Ms,Ana,Lima,a@x.uk,07700 900123\n000108,Mr,Bo,Gil,b@x.uk,07700 900124\n"
                + "000109,Mx,Eva,Ruiz,e@x.uk,07700 900125\n",
            .workers,
            [
                "  agent_id: \"Employee Reference\"", "  full_name: { template: \"{Forename} {Surname}\" }",
                "  phone: { field: \"Mobile Number\""
            ]
        ),
        (
            "csv",
            "\"取引先責任者 ID\",\"姓\",\"名\",\"取引先名\",\"メール\",\"電話\",\"郵便番号(郵送先)\"\n"
                + "\"0035h00000AA00TAAQ\",\"佐藤\",\"健太\",\"株式会社サンプル\",\"a@x.co.jp\",\"03-5000-1000\",\"100-0000\"\n"
                + "\"0035h00000AB01TAAQ\",\"鈴木\",\"美咲\",\"東京テック\",\"b@x.co.jp\",\"03-5011-1037\",\"103-0041\"\n",
            .tasks,
            [
                "  customers.external_id: \"取引先責任者 ID\"", "  customers.name: { template: \"{姓} {名}\" }",
                "  customers.email: { field: \"メール\"", "  customers.phone: { field: \"電話\"",
                "  customers.organization: \"取引先名\"", "  customers.zip: \"郵便番号(郵送先)\""
            ]
        ),
        (
            "csv",
            "Osobní číslo;Jméno;Příjmení;E-mail;Telefon;Oddělení;Pozice;Nadřízený\n"
                + "00101;Jiří;Novák;jiri@x.cz;+420 601 123 456;Podpora;Operátor;Eva Malá\n"
                + "00102;Eva;Malá;eva@x.cz;+420 602 123 456;Podpora;Vedoucí;Jan Král\n"
                + "00103;Jan;Král;jan@x.cz;+420 603 123 456;Prodej;Operátor;Eva Malá\n",
            .workers,
            [
                "  agent_id: \"Osobní číslo\"", "  full_name: { template: \"{Jméno} {Příjmení}\" }",
                "  department_name: \"Oddělení\"", "  role: \"Pozice\"", "  manager: \"Nadřízený\""
            ]
        ),
        (
            "xml",
            """
            <?xml version="1.0"?>
            <directory><employees>
            <employee id="112"><field id="displayName">Ana Lima</field><field id="workPhone">(801) 724-3391</field>\
            <field id="mobilePhone"></field><field id="workEmail">ana@x.com</field></employee>
            <employee id="113"><field id="displayName">Bo Chen</field><field id="workPhone">(801) 724-3392</field>\
            <field id="mobilePhone">(801) 660-2817</field><field id="workEmail">bo@x.com</field></employee>
            <employee id="114"><field id="displayName">Eva Ruiz</field><field id="workPhone">(801) 724-3393</field>\
            <field id="mobilePhone"></field><field id="workEmail">eva@x.com</field></employee>
            </employees></directory>
            """, .workers,
            ["  agent_id: \"@id\"", "  phone: { field: \"field[@id='workPhone']\""]
        ),
        (
            "xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <dat:dataPack xmlns:dat="urn:d" xmlns:adb="urn:a" xmlns:typ="urn:t">
            <dat:dataPackItem><adb:addressbook><adb:addressbookHeader><adb:id>1</adb:id><adb:identity><typ:address>\
            <typ:company>Kov Ltd</typ:company><typ:name>Jan Novák</typ:name></typ:address></adb:identity>\
            <adb:mobil>+420 601 123 456</adb:mobil></adb:addressbookHeader></adb:addressbook></dat:dataPackItem>
            <dat:dataPackItem><adb:addressbook><adb:addressbookHeader><adb:id>2</adb:id><adb:identity><typ:address>\
            <typ:company>Ol s.r.o.</typ:company><typ:name>Eva Malá</typ:name></typ:address></adb:identity>\
            <adb:mobil>+420 602 123 456</adb:mobil></adb:addressbookHeader></adb:addressbook></dat:dataPackItem>
            </dat:dataPack>
            """, .tasks,
            [
                "  customers.external_id: \"adb:addressbook/adb:addressbookHeader/adb:id\"",
                "  customers.name: \"adb:addressbook/adb:addressbookHeader/adb:identity/typ:address/typ:name\"",
                "  customers.organization: \"adb:addressbook/adb:addressbookHeader/adb:identity/typ:address/typ:company\"",
                "  customers.phone: { field: \"adb:addressbook/adb:addressbookHeader/adb:mobil\""
            ]
        )
    ])
    func theDraftReadsSpanishSageAndNestedNames(kind: String, text: String, target: MappingTarget, lines: [String])
        throws
    {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("draft-\(UUID().uuidString).\(kind)")
            .path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let draft = MappingDraft.yaml(try ExportInspection.inspect(path: path, recordPath: nil), target: target)
        for line in lines { #expect(draft.contains(line), "\(line) in \(draft)") }
        _ = try Mapping.parse(draft, path: "draft.yaml")
    }
}
