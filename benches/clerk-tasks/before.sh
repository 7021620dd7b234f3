# The five tasks in the window as it was before the clerk's-day issue (commit 6c93427), sourced by
# replay.sh. That window wrote a document into the data folder and showed its path: the clerk
# then opens it from the file manager (pcmanfm here).

# 1. Find a person's dossier by name and print its receipt.
task1() {
  start agent agent-demo-2026
  begin 1
  answered 153 110 430 300 press 60 81                  # Bénéficiaires: the cursor is in its search
  answered 153 110 430 300 typ "Oubaha Said"            # nine people of that name
  answered 588 110 430 340 press 320 372                # hers (born 13/06/1935): her card
  press 46 143                                          # the number read on the card; Dossiers
  press 426 81; typ "BL-DEMO-2024-00023"                # the number typed whole
  answered 153 110 860 400 press 606 81                 # Ouvrir
  answered 153 100 860 20 press 234 496                 # Imprimer le récépissé: its path is shown
  file_manager_opens recepisse-BL-DEMO-2024-00023       # the PDF found in the hidden folder
  end
}

# 2. Register an applicant, a project and a dossier (the pieces brought ticked).
task2() {
  start agent agent-demo-2026
  begin 2
  answered 153 110 430 300 press 60 81                  # Bénéficiaires
  answered 153 40 860 60 press 394 50                   # Nouveau bénéficiaire: the cursor in its CIN
  typ "JT345678"; key Tab; typ "Ouchen"; key Tab; typ "Fatima"; key Tab
  typ "أوشن"; key Tab; typ "فاطمة"                      # each Arabic field gets a preview line under it
  press 530 283; next_click 434 347                     # Sexe: Féminin
  press 530 314; typ "12/03/1985"
  press 530 345; next_click 421 470                     # Lien avec le titulaire: Fille
  press 530 376; typ "TZ-R0001234"; key Tab; typ "Ouchen Ahmed"; key Tab; typ "0612345678"
  key Tab; typ "12 rue Hassan II"; key Tab; typ "Tiznit"
  press 530 532; wheel 530 650 5 30; wheel 530 650 4 3  # Province: 75 in a list, Tiznit near its end
  next_click 470 669
  answered 153 550 430 20 press 231 563                 # Vérifier les doublons: none
  answered 588 110 430 300 press 365 586                # Enregistrer
  answered 588 470 430 250 press 735 451                # Nouveau projet
  press 900 516; next_click 896 642                     # Type: Projet individuel
  press 900 547; typ "Atelier de couture Ouchen"; key Tab; typ "Couture"; key Tab; typ "Tiznit"
  key Tab; typ "3"; key Tab; typ "2"
  answered 588 380 430 100 press 664 704                # Enregistrer le projet
  answered 153 40 860 60 press 755 451                  # Ouvrir un dossier
  press 567 151; typ "80000"; press 733 151             # the amount asked, recorded
  for y in 203 229 261 295 335 361; do next_click 160 $y; done   # the six pieces brought
  dossier_registered
  end
}

# 3. Record a disbursement (the head of office, the dossier's number on the payment order).
task3() {
  start chef chef-demo-2026
  begin 3
  press 46 143                                          # Dossiers
  press 426 81; typ "BL-DEMO-2022-00024"                # the number typed whole
  answered 153 110 860 400 press 606 81                 # Ouvrir
  press 895 364; typ "15000"                            # Montant à décaisser (Budget HCAR)
  press 990 364                                         # Décaisser, half past the window's edge
  disbursement_recorded
  end
}

# 4. Print a beneficiary's certificate (a financed dossier, its number on the request).
task4() {
  start chef chef-demo-2026
  begin 4
  press 46 143                                          # Dossiers
  press 426 81; typ "BL-DEMO-2022-00010"
  answered 153 110 860 400 press 606 81                 # Ouvrir
  answered 153 100 860 20 press 900 542                 # Délivrer l'attestation: its path is shown
  file_manager_opens attestation-BL-DEMO-ATT-
  end
}

# 5. Export to the stick, and a week later import the delegation's reply.
task5() {
  start chef chef-demo-2026
  begin 5
  export_then_import 227 258 320 351
  end
}
