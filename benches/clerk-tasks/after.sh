# The five tasks in the window as it is now (sourced by replay.sh).

# 1. Find a person's dossier by name and print its receipt.
task1() {
  start agent agent-demo-2026
  begin 1
  answered 153 200 860 500 press 46 143                 # Dossiers: the cursor is in its search
  answered 153 240 860 300 typ "Oubaha Said"            # the person's dossiers, in both scripts
  answered 153 40 860 60 press 279 349                  # hers: BL-DEMO-2024-00023
  press 234 516                                         # Imprimer le récépissé
  viewer_shows recepisse-BL-DEMO-2024-00023
  end
}

# 2. Register an applicant, a project and a dossier (the pieces brought ticked).
task2() {
  start agent agent-demo-2026
  begin 2
  answered 153 40 860 60 shortcut ctrl+n                # the form, the cursor in its CIN
  typ "JT345678"; key Tab; typ "Ouchen"; key Tab; typ "Fatima"; key Tab
  typ "أوشن"; key Tab; typ "فاطمة"
  press 530 295; next_click 434 358                     # Sexe: Féminin
  press 530 326; typ "12/03/1985"
  answered 391 376 280 170 press 530 363                # Lien avec le titulaire: the list opens
  next_click 421 488                                    # Fille
  press 530 394; typ "TZ-R0001234"; key Tab; typ "Ouchen Ahmed"; key Tab; typ "0612345678"
  key Tab; typ "12 rue Hassan II"; key Tab; typ "Tiznit"
  press 530 550; typ "tizn"; key Return                 # Province: found by a part of its name
  answered 588 140 430 300 press 365 604                # Enregistrer (the duplicates were searched)
  answered 588 480 430 250 press 735 457                # Nouveau projet
  press 900 522; next_click 896 648                     # Type: Projet individuel
  press 900 553; typ "Atelier de couture Ouchen"; key Tab; typ "Couture"; key Tab; typ "Tiznit"
  key Tab; typ "3"; key Tab; typ "2"
  answered 588 400 430 100 press 664 710                # Enregistrer le projet
  answered 153 40 860 60 press 755 457                  # Déposer un dossier
  press 567 140; typ "80000"; press 240 171             # the amount asked, recorded
  for y in 223 249 273 313 349 375; do next_click 160 $y; done   # the six pieces brought
  dossier_registered
  end
}

# 3. Record a disbursement (the head of office, the dossier's number on the payment order).
task3() {
  start chef chef-demo-2026
  begin 3
  answered 153 200 860 500 press 46 143                 # Dossiers: the cursor is in its search
  answered 153 240 860 300 typ "2022-24"                # the number as it is said, unpadded
  answered 153 40 860 60 key Return                     # the only dossier found opens
  press 895 352; typ "15000"                            # Montant à décaisser (Budget HCAR)
  press 682 384                                         # Décaisser
  disbursement_recorded
  end
}

# 4. Print a beneficiary's certificate (a financed dossier, its number on the request).
task4() {
  start chef chef-demo-2026
  begin 4
  answered 153 200 860 500 press 46 143                 # Dossiers
  answered 153 240 860 300 typ "2022-10"
  answered 153 40 860 60 key Return
  press 282 579                                         # Délivrer l'attestation de bénéficiaire
  viewer_shows attestation-BL-DEMO-ATT-
  end
}

# 5. Export to the stick, and a week later import the delegation's reply.
task5() {
  start chef chef-demo-2026
  begin 5
  export_then_import 233 264 326 357
  end
}
